using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pulumi;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Infra.Tests.Stacks;

/// <summary>
/// An in-process stand-in for the Pulumi engine and its resource monitor, over the real gRPC protocol (pulumi/pulumi
/// proto/pulumi/engine.proto and resource.proto, as compiled into pulumi-dotnet: its generated classes are internal,
/// so every service and message is reached through protobuf's public descriptors and JSON form). Every unary call is
/// recorded (service/method and the request as JSON) and answered by <see cref="Respond"/>, a JSON message.
/// </summary>
internal sealed class FakeEngine : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentQueue<(string Method, JsonElement Request)> Calls { get; } = new();

    /// <summary>Requests the fake could not answer (a bug of the fake or an unexpected request), with the exception.</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>host:port, as the engine passes its address to a provider and a monitor endpoint in a request.</summary>
    public string Address { get; private set; } = "";

    public required Func<string, JsonElement, string?> Respond { get; init; }

    public static ServiceDescriptor Service(string reflectionClass, string name)
    {
        var file = (FileDescriptor?)typeof(Deployment).Assembly.GetType(reflectionClass)?.GetProperty("Descriptor")?.GetValue(null)
            ?? throw new InvalidOperationException($"Pulumi SDK: generated {reflectionClass} not found");
        return file.Services.Single(s => s.Name == name);
    }

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private FakeEngine(IReadOnlyList<ServiceDescriptor> services)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IServiceMethodProvider<GrpcService>>(new Binder(this, services));
        _app = builder.Build();
        _app.MapGrpcService<GrpcService>();
    }

    /// <summary>Starts the engine (Log, GetRootResource, ...) and the resource monitor on one loopback port.</summary>
    public static async Task<FakeEngine> StartAsync(Func<string, JsonElement, string?> respond)
    {
        var engine = new FakeEngine([Service("Pulumirpc.EngineReflection", "Engine"), Service("Pulumirpc.ResourceReflection", "ResourceMonitor")]) { Respond = respond };
        await engine._app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var url = engine._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        engine.Address = new Uri(url).Authority;
        return engine;
    }

    private IMessage Handle(MethodDescriptor method, IMessage request)
    {
        var name = $"{method.Service.Name}/{method.Name}";
        string text;
        try
        {
            text = JsonFormatter.Default.Format(request);
        }
        catch (Exception e)
        {
            Failures.Enqueue($"{name}: {e}");
            throw;
        }
        using var doc = JsonDocument.Parse(text);
        var json = doc.RootElement.Clone();
        Calls.Enqueue((name, json));
        try
        {
            return Parser.Parse(Respond(name, json) ?? "{}", method.OutputType);
        }
        catch (Exception e)
        {
            Failures.Enqueue($"{name}: {e}");
            throw;
        }
    }

    /// <summary>Calls a unary method of a server at <paramref name="address"/> with a request given as JSON.</summary>
    public static async Task<JsonElement> CallAsync(string address, MethodDescriptor method, string requestJson, TimeSpan timeout)
    {
        using var channel = GrpcChannel.ForAddress($"http://{address}");
        var request = Parser.Parse(requestJson, method.InputType);
        var response = await channel.CreateCallInvoker().AsyncUnaryCall(Unary(method), null, new Grpc.Core.CallOptions(deadline: DateTime.UtcNow + timeout), request);
        using var doc = JsonDocument.Parse(JsonFormatter.Default.Format(response));
        return doc.RootElement.Clone();
    }

    private static Method<IMessage, IMessage> Unary(MethodDescriptor m) =>
        new(MethodType.Unary, m.Service.FullName, m.Name, Marshal(m.InputType), Marshal(m.OutputType));

    private static Marshaller<IMessage> Marshal(MessageDescriptor d) => Marshallers.Create(m => m.ToByteArray(), b => d.Parser.ParseFrom(b));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The gRPC service class the methods are bound to (the binder supplies every method).</summary>
    public sealed class GrpcService;

    private sealed class Binder(FakeEngine engine, IReadOnlyList<ServiceDescriptor> services) : IServiceMethodProvider<GrpcService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<GrpcService> context)
        {
            foreach (var method in services.SelectMany(s => s.Methods).Where(m => !m.IsClientStreaming && !m.IsServerStreaming))
            {
                context.AddUnaryMethod(Unary(method), [], (_, request, _) => Task.FromResult(engine.Handle(method, request)));
            }
        }
    }
}

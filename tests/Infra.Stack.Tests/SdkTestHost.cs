using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Google.Protobuf;
using Pulumi;
using Pulumi.Testing;

namespace Infra.Tests.Stacks;

/// <summary>
/// <c>Deployment.TestAsync</c> with a tap on the monitor: the program runs exactly as under TestAsync (the SDK's own
/// MockMonitor and MockEngine, the same internal runner; pulumi-dotnet v3.112.1 <c>Deployment_Run.cs</c>
/// <c>TryTestAsync</c>), but every <c>RegisterResourceRequest</c> the SDK sends is recorded on its way to the monitor.
/// <para>Why: what a registration carries beyond its inputs (the provider reference of a custom resource, the
/// <c>providers</c> map of a remote component such as a ConfigGroup, the dependency URNs, additionalSecretOutputs) is
/// computed by the SDK (<c>Deployment_Prepare.cs</c> <c>PrepareResourceAsync</c>) and only reaches the monitor; the
/// <see cref="MockResourceArgs"/> handed to <see cref="IMocks"/> keep the provider of custom resources only. The request
/// is what the engine would receive, so the tests assert on it, not on the component classes.</para>
/// <para>The SDK types used here are internal (IMonitor, MockMonitor, MockEngine, IRunner, the test Deployment
/// constructor, CreateRunnerAndRunAsync): each is looked up by name, and a missing one fails with its name.</para>
/// </summary>
internal static class SdkTestHost
{
    private static readonly Assembly Sdk = typeof(Deployment).Assembly;

    public sealed record Result(ImmutableArray<Resource> Resources, IReadOnlyList<string> EngineErrors);

    public static async Task<Result> RunAsync<TStack>(IMocks mocks, TestOptions options, Action<IMessage> onRegister)
        where TStack : Stack, new()
    {
        var runStack = SdkType("Pulumi.IRunner").GetMethods().SingleOrDefault(m => m.Name == "RunAsync" && m.IsGenericMethodDefinition && m.GetParameters().Length == 0)
            ?? throw Missing("IRunner.RunAsync<TStack>()");
        var host = Prepare(mocks, options, onRegister);
        await host.Run(new RunnerCall<int>(runStack.MakeGenericMethod(typeof(TStack)), []));
        return host.Collect();
    }

    /// <summary>
    /// A function run as a provider runs Construct for the engine (pulumi-dotnet v3.112.1 Deployment_Inline.cs
    /// <c>RunInlineAsyncWithResult</c>: <c>runner.RunAsync&lt;T&gt;(func)</c>, no Stack): its value, or the exception it
    /// threw, whose message the provider hands the engine as the RPC's status (Provider.cs <c>WrapProviderCall</c>).
    /// </summary>
    public static async Task<(Result Result, T? Value, Exception? Error)> RunInlineAsync<T>(IMocks mocks, TestOptions options, Action<IMessage> onRegister, Func<Task<T>> function)
    {
        var runFunc = SdkType("Pulumi.IRunner").GetMethods().SingleOrDefault(m => m.Name == "RunAsync" && m.IsGenericMethodDefinition
                && m.GetParameters() is [{ ParameterType: { IsGenericType: true } p }] && p.GetGenericTypeDefinition() == typeof(Func<>)
                && p.GetGenericArguments()[0] is { IsGenericType: true } r && r.GetGenericTypeDefinition() == typeof(Task<>))
            ?? throw Missing("IRunner.RunAsync<T>(Func<Task<T>>)");
        var host = Prepare(mocks, options, onRegister);
        try
        {
            var value = await host.Run(new RunnerCall<T>(runFunc.MakeGenericMethod(typeof(T)), [function]));
            return (host.Collect(), value, null);
        }
        catch (Exception e)
        {
            return (host.Collect(), default, e is TargetInvocationException { InnerException: { } inner } ? inner : e);
        }
    }

    private static TestHost Prepare(IMocks mocks, TestOptions options, Action<IMessage> onRegister)
    {
        var monitorType = SdkType("Pulumi.IMonitor");
        var monitor = Activator.CreateInstance(SdkType("Pulumi.Testing.MockMonitor"), mocks)!;
        var tap = DispatchProxy.Create(monitorType, typeof(MonitorTap));
        ((MonitorTap)tap).Attach(monitor, onRegister);
        var engine = Activator.CreateInstance(SdkType("Pulumi.Testing.MockEngine"))!;

        var constructor = typeof(Deployment).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, [SdkType("Pulumi.Experimental.IEngine"), monitorType, typeof(TestOptions)])
            ?? throw Missing("Deployment(IEngine, IMonitor, TestOptions)");
        return new TestHost(monitor, engine, () => (Deployment)constructor.Invoke([engine, tap, options]));
    }

    /// <summary>The SDK's MockMonitor and MockEngine of one run, and the test Deployment made with them.</summary>
    private sealed record TestHost(object Monitor, object Engine, Func<Deployment> Factory)
    {
        public Task<T> Run<T>(RunnerCall<T> runner)
        {
            var runnerType = SdkType("Pulumi.IRunner");
            var parameter = System.Linq.Expressions.Expression.Parameter(runnerType, "runner");
            var runDelegate = System.Linq.Expressions.Expression.Lambda(
                typeof(Func<,>).MakeGenericType(runnerType, typeof(Task<T>)),
                System.Linq.Expressions.Expression.Call(System.Linq.Expressions.Expression.Constant(runner), typeof(RunnerCall<T>).GetMethod(nameof(RunnerCall<T>.Run))!,
                    System.Linq.Expressions.Expression.Convert(parameter, typeof(object))),
                parameter).Compile();

            var createAndRun = typeof(Deployment).GetMethod("CreateRunnerAndRunAsync", BindingFlags.Static | BindingFlags.NonPublic)
                ?? throw Missing("Deployment.CreateRunnerAndRunAsync");
            return (Task<T>)createAndRun.MakeGenericMethod(typeof(T)).Invoke(null, [Factory, runDelegate])!;
        }

        public Result Collect()
        {
            var errors = (List<string>)(Engine.GetType().GetField("Errors")?.GetValue(Engine) ?? throw Missing("MockEngine.Errors"));
            var resources = (List<Resource>)(Monitor.GetType().GetField("Resources")?.GetValue(Monitor) ?? throw Missing("MockMonitor.Resources"));
            lock (errors)
            {
                lock (resources)
                {
                    return new Result([.. resources], [.. errors]);
                }
            }
        }
    }

    private static Type SdkType(string name) => Sdk.GetType(name) ?? throw Missing(name);

    private static InvalidOperationException Missing(string what) =>
        new($"Pulumi SDK {Sdk.GetName().Version}: internal {what} not found; update SdkTestHost for this SDK version");

    /// <summary>The <c>runner =&gt; runner.RunAsync...(...)</c> lambda of TestAsync, for the internal IRunner.</summary>
    private sealed class RunnerCall<T>(MethodInfo run, object?[] arguments)
    {
        public Task<T> Run(object runner) => (Task<T>)run.Invoke(runner, arguments)!;
    }
}

/// <summary>Forwards every monitor call to the SDK's MockMonitor, recording registrations first.</summary>
public class MonitorTap : DispatchProxy
{
    private object _monitor = null!;
    private Action<IMessage> _onRegister = null!;

    internal void Attach(object monitor, Action<IMessage> onRegister)
    {
        _monitor = monitor;
        _onRegister = onRegister;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method!.Name == "RegisterResourceAsync" && args is [_, IMessage request])
        {
            _onRegister(request);
        }
        try
        {
            return method.Invoke(_monitor, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}

/// <summary>The registrations of one run, in the order the SDK sent them.</summary>
internal sealed class RegistrationLog(string stack, string project)
{
    private readonly ConcurrentQueue<Registration> _all = new();
    private readonly ConcurrentDictionary<(string Type, string Name), ConcurrentQueue<Registration>> _pending = new();

    public void Add(IMessage request)
    {
        var registration = Registration.From(request, stack, project);
        _all.Enqueue(registration);
        _pending.GetOrAdd((registration.Type, registration.Name), _ => new()).Enqueue(registration);
    }

    /// <summary>The registration the mock monitor is creating a resource for (same type and name, first not yet taken).</summary>
    public Registration? Take(string type, string name) =>
        _pending.TryGetValue((type, name), out var queue) && queue.TryDequeue(out var r) ? r : null;

    public IReadOnlyList<Registration> All => [.. _all];
}

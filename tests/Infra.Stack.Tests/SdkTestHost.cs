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

    public static Task<Result> RunAsync<TStack>(IMocks mocks, TestOptions options, Action<IMessage> onRegister)
        where TStack : Stack, new()
    {
        var runnerType = SdkType("Pulumi.IRunner");
        var runStack = runnerType.GetMethods().SingleOrDefault(m => m.Name == "RunAsync" && m.IsGenericMethodDefinition && m.GetParameters().Length == 0)
            ?? throw Missing("IRunner.RunAsync<TStack>()");
        return RunAsync(mocks, options, onRegister, new RunnerCall(runStack.MakeGenericMethod(typeof(TStack)), []));
    }

    /// <summary>A program without a Stack class (as <c>Deployment.TestAsync(mocks, options, Func)</c> runs one): its outputs become the stack's.</summary>
    public static Task<Result> RunAsync(IMocks mocks, TestOptions options, Action<IMessage> onRegister, Func<Task<IDictionary<string, object?>>> program)
    {
        var runnerType = SdkType("Pulumi.IRunner");
        var runFunc = runnerType.GetMethods().SingleOrDefault(m => m.Name == "RunAsync" && !m.IsGenericMethodDefinition
                && m.GetParameters() is [{ ParameterType: var p }, _] && p == typeof(Func<Task<IDictionary<string, object?>>>))
            ?? throw Missing("IRunner.RunAsync(Func<Task<IDictionary<string, object?>>>, StackOptions?)");
        return RunAsync(mocks, options, onRegister, new RunnerCall(runFunc, [program, null]));
    }

    private static async Task<Result> RunAsync(IMocks mocks, TestOptions options, Action<IMessage> onRegister, RunnerCall runner)
    {
        var monitorType = SdkType("Pulumi.IMonitor");
        var monitor = Activator.CreateInstance(SdkType("Pulumi.Testing.MockMonitor"), mocks)!;
        var tap = DispatchProxy.Create(monitorType, typeof(MonitorTap));
        ((MonitorTap)tap).Attach(monitor, onRegister);
        var engine = Activator.CreateInstance(SdkType("Pulumi.Testing.MockEngine"))!;

        var constructor = typeof(Deployment).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, [SdkType("Pulumi.Experimental.IEngine"), monitorType, typeof(TestOptions)])
            ?? throw Missing("Deployment(IEngine, IMonitor, TestOptions)");
        Func<Deployment> factory = () => (Deployment)constructor.Invoke([engine, tap, options]);

        var runnerType = SdkType("Pulumi.IRunner");
        var parameter = System.Linq.Expressions.Expression.Parameter(runnerType, "runner");
        var runDelegate = System.Linq.Expressions.Expression.Lambda(
            typeof(Func<,>).MakeGenericType(runnerType, typeof(Task<int>)),
            System.Linq.Expressions.Expression.Call(System.Linq.Expressions.Expression.Constant(runner), typeof(RunnerCall).GetMethod(nameof(RunnerCall.Run))!,
                System.Linq.Expressions.Expression.Convert(parameter, typeof(object))),
            parameter).Compile();

        var createAndRun = typeof(Deployment).GetMethod("CreateRunnerAndRunAsync", BindingFlags.Static | BindingFlags.NonPublic)
            ?? throw Missing("Deployment.CreateRunnerAndRunAsync");
        await (Task<int>)createAndRun.MakeGenericMethod(typeof(int)).Invoke(null, [factory, runDelegate])!;

        var errors = (List<string>)(engine.GetType().GetField("Errors")?.GetValue(engine) ?? throw Missing("MockEngine.Errors"));
        var resources = (List<Resource>)(monitor.GetType().GetField("Resources")?.GetValue(monitor) ?? throw Missing("MockMonitor.Resources"));
        lock (errors)
        {
            lock (resources)
            {
                return new Result([.. resources], [.. errors]);
            }
        }
    }

    private static Type SdkType(string name) => Sdk.GetType(name) ?? throw Missing(name);

    private static InvalidOperationException Missing(string what) =>
        new($"Pulumi SDK {Sdk.GetName().Version}: internal {what} not found; update SdkTestHost for this SDK version");

    /// <summary>The <c>runner =&gt; runner.RunAsync...(...)</c> lambda of TestAsync, for the internal IRunner.</summary>
    private sealed class RunnerCall(MethodInfo run, object?[] arguments)
    {
        public Task<int> Run(object runner) => (Task<int>)run.Invoke(runner, arguments)!;
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

using System.Globalization;
using Infra.Plan.Sizing;

namespace Infra.Bench;

/// <summary>
/// The capacity model against every published LiveKit load result it uses: per point the scenario, the published
/// figure, the model's figure, its band and the error, marked fit or held out; for the points that publish packets and
/// bytes, the traffic re-derived from the load tester's source against the published counts. Usage: bench capacity-model
/// </summary>
public static class CapacityModelBench
{
    public static readonly Benchmark Entry = new("capacity-model", "capacity model vs published LiveKit load tests (fit and held out)", Run);

    private static int Run(string[] args, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        var r = CapacityModel.Reference;
        output.WriteLine($"capacity-model: fit (c2-standard-16, LiveKit 2022): {r.NanosPerPacket.ToString("0", inv)} ns per packet, " +
            $"{r.NanosPerKilobyte.ToString("0", inv)} ns per kilobyte; version factor for LiveKit >= 1.8: {CapacityModel.VersionFactor.ToString("0.00", inv)}; " +
            $"model error allowance ±{(CapacityModel.FitError * 100).ToString("0", inv)}%");
        foreach (var h in CapacityModel.HardwareFactors)
        {
            output.WriteLine($"capacity-model: hardware class {h.Name}: factor {h.Factor.ToString("0.0", inv)} (band {h.Low.ToString("0.0", inv)}-{h.High.ToString("0.0", inv)}): {h.Examples}");
        }
        output.WriteLine();
        output.WriteLine("| point | use | LiveKit | hardware | scenario | published | model | band | error | in band |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var point in PublishedLoadTests.All)
        {
            var e = PublishedLoadTests.Evaluate(point);
            var unit = point.Kind == FigureKind.Cores ? " cores" : " subscribers";
            var fmt = point.Kind == FigureKind.Cores ? "0.00" : "0";
            var use = point.Use switch
            {
                PointUse.FitCoefficients => "fit (coefficients)",
                PointUse.FitVersion => "fit (version factor)",
                _ => "held out",
            };
            output.WriteLine($"| {point.Name} | {use} | {point.Livekit} | {point.Hardware} ({CapacityModel.Hardware(point.Class).Name}) | {point.Scenario} | " +
                $"{point.Figure.ToString(fmt, inv)}{unit} | {e.Model.ToString(fmt, inv)}{unit} | {e.BandLow.ToString(fmt, inv)}-{e.BandHigh.ToString(fmt, inv)} | " +
                $"{(e.Error * 100).ToString("+0;-0;0", inv)}% | {(e.InsideBand ? "yes" : "no")} |");
        }
        output.WriteLine();
        output.WriteLine("Traffic the load tester sent (from its source) against what the benchmark page published:");
        output.WriteLine("| point | packets/s in | packets/s out | bytes/s in | bytes/s out |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var point in PublishedLoadTests.All.Where(p => p.PublishedTraffic is not null))
        {
            var t = point.TrafficAt(point.Subscribers);
            var p = point.PublishedTraffic!;
            output.WriteLine($"| {point.Name} | {Pair(t.PacketsIn, p.PacketsIn)} | {Pair(t.PacketsOut, p.PacketsOut)} | {Pair(t.BytesIn, p.BytesIn)} | {Pair(t.BytesOut, p.BytesOut)} |");
        }
        output.WriteLine();
        foreach (var point in PublishedLoadTests.All)
        {
            output.WriteLine($"- {point.Name}: {point.Source}. {point.Notes}.");
        }
        output.WriteLine();
        // Memory, held out: the only published per-pod figure of today's LiveKit under a known room (third-party v1.9 report:
        // pods up to 3818 MiB with 250-person rooms of 25 publishers, 15 with video; the tester's subscriber takes at
        // most 6 publishers' tracks, speaker layout).
        const int people = 250, subscribers = 225, tracksPerSubscriber = 6 * 2;
        var modelMiB = CapacityModel.BaseMemoryGiB * 1024 + people * CapacityModel.MemoryPerParticipantMiB + subscribers * tracksPerSubscriber * CapacityModel.MemoryPerForwardedTrackMiB;
        output.WriteLine($"Memory, held out: third-party v1.9, one 250-person room per pod: published up to 3818 MiB, model {modelMiB.ToString("0", inv)} MiB " +
            $"({((modelMiB / 3818 - 1) * 100).ToString("+0;-0;0", inv)}%): per-participant memory is an assumption; measure it (sfuMemoryMiBPerParticipant).");
        output.WriteLine();
        output.WriteLine("Thin data: no public figures exist for Element-Call-like rooms of 5-30 people with DTX and E2EE; the version factor rests on one " +
            "report and the hardware classes on one third-party point. Calibrate on your own nodes (README).");
        return 0;

        string Pair(double derived, double published) =>
            $"{derived.ToString("#,0", inv)} vs {published.ToString("#,0", inv)} ({((derived / published - 1) * 100).ToString("+0;-0;0", inv)}%)";
    }
}

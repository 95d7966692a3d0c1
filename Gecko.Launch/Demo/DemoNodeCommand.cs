using System.CommandLine;
using Gecko.Actors.Standalone;
using Gecko.Core.Messages;

namespace Gecko.Launch.Demo;

/// <summary><c>gecko demo-node</c>: the standalone processes of the demo robot (a camera, a viewer, an IMU).</summary>
public static class DemoNodeCommand
{
    /// <summary>Builds the verb (hidden from the main help: the demo launch file runs it).</summary>
    public static Command Create()
    {
        var kind = new Argument<string>("kind") { Description = "camera, viewer or imu." };
        kind.AcceptOnlyFromAmong("camera", "viewer", "imu");
        var topic = new Option<string?>("--topic") { Description = "Topic (default: cv for camera and viewer, imu for imu)." };
        var hz = new Option<double>("--hz") { Description = "Publish rate.", DefaultValueFactory = _ => 15 };
        var size = new Option<int>("--size") { Description = "Camera image size in bytes.", DefaultValueFactory = _ => 1_000_000 };
        var command = new Command("demo-node", "A standalone node of the demo robot: camera, viewer or imu.") { kind, topic, hz, size };
        command.Hidden = true;
        command.SetAction(parse => Run(parse.GetValue(kind)!, parse.GetValue(topic), parse.GetValue(hz), parse.GetValue(size)));
        return command;
    }

    private static int Run(string kind, string? topic, double hz, int size)
    {
        using var node = StandaloneNode.Init(kind);
        node.OnShutdown(() => Console.WriteLine("stopping"));
        switch (kind)
        {
            case "camera":
                Camera(node, topic ?? "cv", hz, size);
                break;
            case "viewer":
                Viewer(node, topic ?? "cv");
                break;
            default:
                ImuSensor(node, topic ?? "imu", hz);
                break;
        }
        return 0;
    }

    private static void Camera(StandaloneNode node, string topic, double hz, int size)
    {
        var images = node.Publisher<Image>(topic);
        var side = (int)Math.Sqrt(size / 3.0);
        var pixels = new byte[side * side * 3];
        var rate = node.Rate(hz);
        var frame = 0;
        node.Log.Info($"{side}x{side} RGB ({pixels.Length / 1e6:0.0} MB) at {hz} Hz on '{topic}'");
        while (!node.IsShutdown)
        {
            // A moving gradient: cheap to make, not all zeros, and different every frame.
            pixels.AsSpan().Fill((byte)frame++);
            images.Publish(new Image([side, side, 3], pixels, false, Now()));
            rate.Sleep();
        }
    }

    private static void Viewer(StandaloneNode node, string topic)
    {
        long frames = 0;
        node.Subscribe<Image>(topic, image =>
        {
            if (++frames % 45 == 0) node.Log.Info($"{frames} frames, last {string.Join('x', image.Shape)} ({image.Bytes.Length / 1e6:0.0} MB)");
        });
        node.Spin();
    }

    private static void ImuSensor(StandaloneNode node, string topic, double hz)
    {
        var imu = node.Publisher<Imu>(topic);
        var rate = node.Rate(hz);
        var t = 0.0;
        while (!node.IsShutdown)
        {
            t += 1 / hz;
            imu.Publish(new Imu(new Vector(Math.Sin(t), Math.Cos(t), 9.81), new Vector(0, 0, 0.1), new Vector(20, -5, 40), Now()));
            rate.Sleep();
        }
    }

    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}

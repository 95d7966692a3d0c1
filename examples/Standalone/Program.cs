using System.Globalization;
using Gecko.Actors.Standalone;
using Gecko.Core.Messages;

// Two standalone nodes in one program, chosen by the first argument:
//   talker   [--topic imu] [--hz 10] [--count N]   publishes IMU readings
//   listener [--topic imu] [--count N]             prints every IMU it receives, one line each
// The hub is found as every node finds it: GECKO_CORE_IN/OUT, the core file, or the defaults.

if (args.Length == 0 || args[0] is not ("talker" or "listener"))
{
    Console.Error.WriteLine("usage: talker|listener [--topic NAME] [--hz RATE] [--count N]");
    return 2;
}

var options = new Dictionary<string, string> { ["--topic"] = "imu", ["--hz"] = "10", ["--count"] = "0" };
for (var i = 1; i < args.Length; i += 2)
{
    if (!options.ContainsKey(args[i]) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"unknown or incomplete option '{args[i]}': use --topic NAME, --hz RATE or --count N");
        return 2;
    }
    options[args[i]] = args[i + 1];
}
var topic = options["--topic"];
var count = int.Parse(options["--count"], CultureInfo.InvariantCulture);

using var node = StandaloneNode.Init(args[0]);
node.OnShutdown(() => Console.WriteLine($"{node.Name} stopping"));

if (args[0] == "talker")
{
    var imu = node.Publisher<Imu>(topic);
    var rate = node.Rate(double.Parse(options["--hz"], CultureInfo.InvariantCulture));
    for (var n = 1; !node.IsShutdown && (count == 0 || n <= count); n++)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        imu.Publish(new Imu(new Vector(0, 0, 9.81), new Vector(0, 0, 0.01 * n), new Vector(20, -5, 40), now));
        rate.Sleep();
    }
    return 0;
}

var received = 0;
node.Subscribe<Imu>(topic, imu =>
{
    received++;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"imu {received}: accel {imu.LinearAcceleration.X} {imu.LinearAcceleration.Y} {imu.LinearAcceleration.Z} gyro {imu.AngularVelocity.X} {imu.AngularVelocity.Y} {imu.AngularVelocity.Z} mag {imu.MagneticField.X} {imu.MagneticField.Y} {imu.MagneticField.Z} t {imu.Timestamp}"));
    if (count > 0 && received >= count) node.Shutdown();
});
Console.WriteLine($"listener ready on '{topic}' (hub out {node.OutAddress})");
node.Spin();
return 0;

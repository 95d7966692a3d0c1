using Xunit;

namespace Gecko.Core.Tests.Bridge;

/// <summary>Python nodes (pyzmq + msgpack, as pygecko's users write them) and C# nodes through the hub over tcp://.</summary>
public sealed class PythonInteropSpec : HubSpec
{
    [Fact]
    public async Task Hub_must_carry_reference_payloads_from_a_python_publisher_to_a_csharp_subscriber_byte_for_byte()
    {
        PythonVectorNodes.PythonToCSharp(Hub.InAddress, Hub.OutAddress, Folder);

        var stats = await StatsUntilAsync(s => s.Topic("vec/imu")?.Messages == 1, "the imu counted");
        Assert.Equal(Messages.ReferenceVectors.Get("imu").Bytes.Length, stats.Topic("vec/imu")!.Bytes);
        Assert.Equal(0, stats.MalformedTotal);
    }

    [Fact]
    public async Task Hub_must_carry_reference_payloads_from_a_csharp_publisher_to_a_python_subscriber_byte_for_byte() =>
        await PythonVectorNodes.CSharpToPythonAsync(Hub.InAddress, Hub.OutAddress);
}

using Akka.Configuration;
using Gecko.Core.Hub;
using Gecko.Core.Monitoring;
using Xunit;

namespace Gecko.Core.Tests.Monitoring;

public sealed class MonitorSettingsTests
{
    [Fact]
    public void Default_EveryKey_HasTheReferenceValue()
    {
        var settings = MonitorSettings.Default;

        Assert.Null(settings.SampleInterval);
        Assert.Equal("/proc", settings.ProcRoot);
        Assert.True(settings.SameUserOnly);
        Assert.Equal(256, settings.MaxProcesses);
        Assert.Equal(settings, CoreSettings.Default.Monitor);
    }

    [Fact]
    public void Create_LaunchFileValues_OverrideTheDefaults()
    {
        var settings = MonitorSettings.Create(ConfigurationFactory.ParseString("""
            gecko.core.monitor { sample-interval = 1500ms, proc-root = "/host/proc", same-user-only = off, max-processes = 12 }
            """));

        Assert.Equal(TimeSpan.FromMilliseconds(1500), settings.SampleInterval);
        Assert.Equal("/host/proc", settings.ProcRoot);
        Assert.False(settings.SameUserOnly);
        Assert.Equal(12, settings.MaxProcesses);
    }

    [Theory]
    [InlineData("sample-interval = 10ms", "sample-interval")]
    [InlineData("sample-interval = 2h", "sample-interval")]
    [InlineData("proc-root = \" \"", "proc-root")]
    [InlineData("max-processes = 0", "max-processes")]
    [InlineData("same-user-only = maybe", "gecko.core.monitor")]
    public void Create_BadValue_SaysWhichKeyAndWhatToDo(string line, string key)
    {
        var error = Assert.Throws<GeckoConfigurationException>(() =>
            CoreSettings.Create(ConfigurationFactory.ParseString($"gecko.core.monitor {{ {line} }}")));

        Assert.Contains(key, error.Message);
    }
}

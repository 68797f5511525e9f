using System.Reflection;
using Xunit.Sdk;

namespace DataFlow.Slurm.Tests;

/// <summary>
/// Fails a Slurm fact before its body when slurmctld does not answer: such a fact only runs then because
/// DATAFLOW_REQUIRE_SLURM=1 forbade the skip, and this names the missing piece up front.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class RequiredSlurmCheckAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest)
    {
        if (methodUnderTest.GetCustomAttribute<SlurmFactAttribute>() is not null && SlurmFactAttribute.Missing() is { } why)
            throw new InvalidOperationException($"this test needs Slurm and DATAFLOW_REQUIRE_SLURM=1 forbids skipping it, but {why}");
    }
}

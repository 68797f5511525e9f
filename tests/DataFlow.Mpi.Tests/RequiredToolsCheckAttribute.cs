using System.Reflection;
using Xunit.Sdk;

namespace DataFlow.Mpi.Tests;

/// <summary>
/// Fails an MPI / Slurm fact before its body when what it needs is missing: such a fact only runs then because
/// DATAFLOW_REQUIRE_MPI=1 or DATAFLOW_REQUIRE_SLURM=1 forbade the skip, and this names the missing piece up front.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class RequiredToolsCheckAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest)
    {
        var slurm = methodUnderTest.GetCustomAttribute<SlurmMpiFactAttribute>() is not null;
        if (slurm || methodUnderTest.GetCustomAttribute<MpiFactAttribute>() is not null) MpiRun.ThrowIfMissing();
        if (slurm && SlurmMpiFactAttribute.SlurmMissing() is { } why)
            throw new InvalidOperationException($"this test needs Slurm and DATAFLOW_REQUIRE_SLURM=1 forbids skipping it, but {why}");
    }
}

namespace DataFlow.Engine.Execution.Slurm;

/// <summary>A Slurm command (sbatch, squeue, ...) failed or is missing; carries its stderr.</summary>
public sealed class SlurmCommandException(string message) : Exception(message);

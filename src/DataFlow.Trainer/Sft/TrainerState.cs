namespace DataFlow.Trainer.Sft;

/// <summary>Where a run stands, saved with every checkpoint: the next step to run and the seed the data order derives from.</summary>
public sealed record TrainerState(int Step, int Seed)
{
    public const string FileName = "trainer_state.json";
}

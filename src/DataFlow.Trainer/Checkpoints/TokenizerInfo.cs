namespace DataFlow.Trainer.Checkpoints;

/// <summary>Which tokenizer made the training tokens: checked against every dataset a checkpoint is trained or resumed on.</summary>
public sealed record TokenizerInfo(string Name, int VocabSize, int EosId, int SeqLen);

namespace DataFlow.Engine.Documents;

/// <summary>Receives bad records. Under <see cref="OnError.Fail"/> it throws <see cref="BadInputException"/>.</summary>
public interface IRejectSink
{
    void Reject(Reject reject);
}

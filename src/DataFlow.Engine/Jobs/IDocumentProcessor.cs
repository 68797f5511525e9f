using DataFlow.Engine.Documents;

namespace DataFlow.Engine.Jobs;

/// <summary>Per-task document step of a <see cref="DocumentStageJob"/>; it may edit the document and set extra columns.</summary>
public interface IDocumentProcessor
{
    DocumentVerdict Process(Document document);

    /// <summary>Documents the stage hands over at once (a model scores them in one forward pass); 1 calls <see cref="Process"/> per document.</summary>
    int BatchSize => 1;

    /// <summary>Decides a batch of documents, in order, into <paramref name="verdicts"/>; the default calls <see cref="Process"/> on each.</summary>
    void ProcessBatch(IReadOnlyList<Document> documents, Span<DocumentVerdict> verdicts)
    {
        for (var i = 0; i < documents.Count; i++) verdicts[i] = Process(documents[i]);
    }

    /// <summary>Called once after the last document, to add task-level stats.</summary>
    void Complete(TaskStats stats) { }
}

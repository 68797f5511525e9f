using DataFlow.Engine.Documents;

namespace DataFlow.Engine.Jobs;

/// <summary>Per-task document step of a <see cref="DocumentStageJob"/>; it may edit the document and set extra columns.</summary>
public interface IDocumentProcessor
{
    DocumentVerdict Process(Document document);

    /// <summary>Called once after the last document, to add task-level stats.</summary>
    void Complete(TaskStats stats) { }
}

namespace DataFlow.Tests.Classification;

/// <summary>The test classes that share one <see cref="ClassifierFixture"/> (building it renders hundreds of man pages).</summary>
[CollectionDefinition(Name)]
public sealed class ClassifierCollection : ICollectionFixture<ClassifierFixture>
{
    public const string Name = "classifier fixtures";
}

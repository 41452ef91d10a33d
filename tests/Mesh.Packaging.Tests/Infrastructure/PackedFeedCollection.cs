namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>The tests that share one packed feed (packing takes about a minute), run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "packed feed";
}

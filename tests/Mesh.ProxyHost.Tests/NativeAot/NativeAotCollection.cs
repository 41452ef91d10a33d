namespace Mesh.ProxyHost.Tests.NativeAot;

/// <summary>The tests of the NativeAOT sidecar: they share one publish (a minute or two on two cores).</summary>
[CollectionDefinition(Name)]
public sealed class NativeAotCollection : ICollectionFixture<NativeAotPublish>
{
    public const string Name = "NativeAOT sidecar";
}

using Mesh.Routing;

namespace Mesh.Core.Tests.Routing;

public class PathTemplateTests
{
    [Theory]
    [InlineData("/orders/{id}", "/orders/42", true)]
    [InlineData("/orders/{id}", "/orders/42/", true)]
    [InlineData("/orders/{id}", "/orders", false)]
    [InlineData("/orders/{id}", "/orders/", false)]
    [InlineData("/orders/{id}", "/orders/42/items", false)]
    [InlineData("/orders/{id}", "/Orders/42", false)]
    [InlineData("/orders/{id}", "/orders//", false)]
    [InlineData("/orders/{id}/items/{item}", "/orders/1/items/2", true)]
    [InlineData("/orders/{id}/items/{item}", "/orders/1/lines/2", false)]
    [InlineData("/files/{*path}", "/files", true)]
    [InlineData("/files/{*path}", "/files/a/b/c", true)]
    [InlineData("/files/{**path}", "/files/a", true)]
    [InlineData("/files/{*path}", "/filesystem", false)]
    [InlineData("/", "/", true)]
    [InlineData("/", "/x", false)]
    [InlineData("/health", "/health", true)]
    [InlineData("/health", "/healthz", false)]
    public void Matches(string template, string path, bool matches)
    {
        Assert.True(PathTemplate.TryParse(template, out var parsed, out var error), error);
        Assert.Equal(matches, parsed.Matches(path));
    }

    [Theory]
    [InlineData("orders/{id}", "must start with /")]
    [InlineData("/orders//{id}", "empty segment")]
    [InlineData("/orders/x{id}", "segment 'x{id}' must be a literal or a whole {parameter}")]
    [InlineData("/orders/{id", "segment '{id' must be a literal or a whole {parameter}")]
    [InlineData("/files/{*path}/x", "must be the last")]
    [InlineData("/files/{*}", "must be the last and be named")]
    public void RefusesWhatIsNotATemplate_SayingWhy(string template, string reason)
    {
        Assert.False(PathTemplate.TryParse(template, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}

namespace Mesh.Samples.Storefront;

/// <summary>Calls the orders service.</summary>
internal sealed class OrdersClient(HttpClient http)
{
    public async Task<Order> GetAsync(int id, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<Order>($"/orders/{id}", cancellationToken) ?? throw new InvalidOperationException($"orders answered null for order {id}");
}

internal sealed record Order(int Id, string ServedBy);

internal sealed record Checkout(int Id, Order Order);

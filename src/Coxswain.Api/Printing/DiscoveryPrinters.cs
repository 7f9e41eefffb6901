using System.Globalization;
using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>Printers of discovery.k8s.io/v1 kinds.</summary>
internal static class DiscoveryPrinters
{
    private const int Max = 3;

    public static TablePrinter EndpointSlice() => new TablePrinter(
            Columns.Name,
            Columns.Text("AddressType", ColumnDescriptions.EndpointSliceAddressType),
            Columns.Text("Ports", ColumnDescriptions.EndpointSlicePorts),
            Columns.Text("Endpoints", ColumnDescriptions.EndpointSliceEndpoints),
            Columns.Age)
        .On<V1EndpointSlice>((slice, now) =>
            [Print.NameOf(slice.Metadata), slice.AddressType ?? "", Ports(slice.Ports), Endpoints(slice.Endpoints), Print.Age(slice.Metadata, now)]);

    /// <summary>Each port's number, else its name, else <c>*</c>; at most 3.</summary>
    private static string Ports(IList<Discoveryv1EndpointPort>? ports)
    {
        var list = new List<string>();
        var count = 0;
        foreach (var port in ports ?? [])
        {
            if (list.Count < Max)
            {
                list.Add(port.Port is { } p ? p.ToString(CultureInfo.InvariantCulture) : port.Name ?? "*");
            }
            count++;
        }
        return Print.ListWithMore(list, count > Max, count, Max);
    }

    /// <summary>All addresses of all endpoints, whatever their conditions; at most 3.</summary>
    private static string Endpoints(IList<V1Endpoint>? endpoints)
    {
        var list = new List<string>();
        var count = 0;
        foreach (var endpoint in endpoints ?? [])
        {
            foreach (var address in endpoint.Addresses ?? [])
            {
                if (list.Count < Max)
                {
                    list.Add(address);
                }
                count++;
            }
        }
        return Print.ListWithMore(list, count > Max, count, Max);
    }
}

using Coxswain.Api.Errors;
using Coxswain.Api.Patching;
using Coxswain.Api.Schema;
using static Coxswain.Api.Tests.Patching.TestJson;

namespace Coxswain.Api.Tests.Patching;

/// <summary>
/// Cases of upstream's strategicpatch tests (apimachinery patch_test.go, with its MergeItem test
/// type): applying a patch to a document must give upstream's expected result exactly, order included.
/// </summary>
public class StrategicMergePatchUpstreamTests
{
    /// <summary>Upstream's MergeItem test struct as a schema.</summary>
    internal static TypeSchema MergeItem { get; } = BuildMergeItem();

    private static TypeSchema BuildMergeItem()
    {
        var str = new TypeSchema { Kind = SchemaKind.String, ClrType = typeof(string) };
        var integer = new TypeSchema { Kind = SchemaKind.Integer, ClrType = typeof(long) };
        var item = new TypeSchema { Kind = SchemaKind.Object, ClrType = typeof(object), ModelName = "MergeItem" };
        var retain = new TypeSchema { Kind = SchemaKind.Object, ClrType = typeof(object), ModelName = "RetainKeysMergeItem" };
        var items = new TypeSchema { Kind = SchemaKind.Array, ClrType = typeof(object), Items = item };
        var ints = new TypeSchema { Kind = SchemaKind.Array, ClrType = typeof(object), Items = integer };
        var map = new TypeSchema { Kind = SchemaKind.Map, ClrType = typeof(object), Items = str };
        var raw = new TypeSchema { Kind = SchemaKind.Any, ClrType = typeof(object) };
        PropertySchema P(string name, TypeSchema type, string? strategy = null, string? key = null) =>
            new() { Name = name, Type = type, PatchStrategy = strategy, PatchMergeKey = key };
        item.Properties = new[]
        {
            P("name", str), P("value", str), P("other", str),
            P("mergingList", items, "merge", "name"), P("nonMergingList", items),
            P("mergingIntList", ints, "merge"), P("nonMergingIntList", ints),
            P("mergeItemPtr", items, "merge", "name"), P("simpleMap", map),
            P("replacingItem", raw, "replace"), P("retainKeysMap", retain, "retainKeys"),
            P("retainKeysMergingList", items, "merge,retainKeys", "name"),
        }.ToDictionary(p => p.Name);
        retain.Properties = new[]
        {
            P("name", str), P("value", str), P("other", str), P("simpleMap", map),
            P("mergingIntList", ints, "merge"), P("mergingList", items, "merge", "name"), P("nonMergingList", items),
        }.ToDictionary(p => p.Name);
        return item;
    }

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // description, original (or current), patch, expected result
        { "unique scalars when merging lists", "mergingIntList: [1, 2]", "mergingIntList: [2, 3]", "mergingIntList: [1, 2, 3]" },
        { "delete map from nested map", "simpleMap: {key1: 1, key2: 1}", "simpleMap: {$patch: delete}", "simpleMap: {}" },
        { "delete all items from merging list", "mergingList: [{name: 1}, {name: 2}]", "mergingList: [{$patch: replace}]", "mergingList: []" },
        { "merge empty merging lists", "mergingList: []", "mergingList: []", "mergingList: []" },
        { "delete all keys from map", "{name: 1, value: 1}", "$patch: replace", "{}" },
        { "add key and delete all keys from map", "{name: 1, value: 1}", "{other: a, $patch: replace}", "other: a" },
        { "delete all duplicate entries in a merging list",
            "mergingList: [{name: 1}, {name: 1}, {name: 2, value: a}, {name: 3}, {name: 3}]",
            "mergingList: [{name: 1, $patch: delete}, {name: 3, $patch: delete}]",
            "mergingList: [{name: 2, value: a}]" },
        { "retainKeys map can add a field when no retainKeys directive present", "retainKeysMap: {name: foo}", "retainKeysMap: {value: bar}", "retainKeysMap: {name: foo, value: bar}" },
        { "retainKeys map can delete a field when no retainKeys directive present", "retainKeysMap: {name: foo, value: a}", "retainKeysMap: {value: null}", "retainKeysMap: {name: foo}" },
        { "retainKeys map merge an empty map", "retainKeysMap: {name: foo, value: a}", "retainKeysMap: {}", "retainKeysMap: {name: foo, value: a}" },
        { "retainKeys list can change a field when no retainKeys directive present",
            "retainKeysMergingList: [{name: bar}, {name: foo, value: a}]", "retainKeysMergingList: [{name: foo, value: b}]",
            "retainKeysMergingList: [{name: bar}, {name: foo, value: b}]" },
        { "preserve the order from the patch in a merging list",
            "mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]",
            "mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, other: x}]",
            "mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, value: b, other: x}]" },
        { "preserve the order from the patch in a merging list 2",
            "mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]",
            "mergingList: [{name: 3, value: c}, {name: 1, value: a}]",
            "mergingList: [{name: 2, value: b}, {name: 3, value: c}, {name: 1, value: a}]" },
        { "preserve the order from the patch in a merging int list", "mergingIntList: [1, 2, 3]", "mergingIntList: [3, 1, 2]", "mergingIntList: [3, 1, 2]" },
        { "preserve the order from the patch in a merging int list 2", "mergingIntList: [1, 2, 3]", "mergingIntList: [3, 1]", "mergingIntList: [2, 3, 1]" },
        { "$setElementOrder contains item that is not present in the list to be merged",
            "mergingList: [{name: 1}, {name: 3}]",
            "{$setElementOrder/mergingList: [{name: 3}, {name: 2}, {name: 1}], mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}",
            "mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]" },
        { "$setElementOrder contains item that is not present in the int list to be merged",
            "mergingIntList: [1, 3]", "$setElementOrder/mergingIntList: [3, 2, 1]", "mergingIntList: [3, 1]" },
        { "$deleteFromPrimitiveList of nonexistent item", "mergingIntList: [1, 2]", "$deleteFromPrimitiveList/mergingIntList: [3]", "mergingIntList: [1, 2]" },
        { "$deleteFromPrimitiveList on empty primitive list", "mergingIntList: null", "$deleteFromPrimitiveList/mergingIntList: [3]", "mergingIntList: null" },
        { "$deleteFromPrimitiveList on nonexistent primitive list", "foo: [bar]", "$deleteFromPrimitiveList/mergingIntList: [3]", "foo: [bar]" },
        { "$deleteFromPrimitiveList with merge strategy", "mergingIntList: [1, 2, 3]", "$deleteFromPrimitiveList/mergingIntList: [2]", "mergingIntList: [1, 3]" },
        { "$deleteFromPrimitiveList without merge strategy", "nonMergingIntList: [1, 2, 3]", "$deleteFromPrimitiveList/nonMergingIntList: [2]", "nonMergingIntList: [1, 3]" },
        { "add field to map", "{name: 1, other: a}", "value: 1", "{name: 1, value: 1, other: a}" },
        { "add field and delete field from map", "{name: 1, other: a}", "{name: null, value: 1}", "{value: 1, other: a}" },
        { "delete field from nested map", "simpleMap: {key1: 1, key2: 1, other: a}", "simpleMap: {key2: null}", "simpleMap: {key1: 1, other: a}" },
        { "replace list of scalars", "nonMergingIntList: [1, 2]", "nonMergingIntList: [2, 3]", "nonMergingIntList: [2, 3]" },
        { "delete all maps from merging list",
            "mergingList: [{name: 1, other: a}, {name: 2, other: b}]",
            "mergingList: [{name: 1, $patch: delete}, {name: 2, $patch: delete}]", "mergingList: []" },
        { "defined null values are dropped", "{name: a, other: a}", "{name: 1, value: 1, other: null}", "{name: 1, value: 1}" },
        { "nested patch merge with empty list",
            "{name: hi, mergingList: [{name: hello2}]}",
            "{$setElementOrder/mergingList: [{name: hello}, {name: doesntexist}], mergingList: [{name: hello}, {$patch: delete, name: doesntexist}]}",
            "{name: hi, mergingList: [{name: hello}, {name: hello2}]}" },
        { "nested patch merge into a missing list drops the delete directive",
            "name: hi", "mergingList: [{name: hello}, {$patch: delete, name: doesntexist}]", "{name: hi, mergingList: [{name: hello}]}" },
        { "delete items in lists of scalars",
            "mergingIntList: [1, 2, 3, 4]", "{$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}", "mergingIntList: [1, 2, 4]" },
        { "delete all duplicate items in lists of scalars",
            "mergingIntList: [1, 2, 3, 3, 4]", "{$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}", "mergingIntList: [1, 2, 4]" },
        { "add and delete items in lists of scalars",
            "mergingIntList: [1, 2, 3]", "{$setElementOrder/mergingIntList: [1, 2, 4], $deleteFromPrimitiveList/mergingIntList: [3], mergingIntList: [4]}", "mergingIntList: [1, 2, 4]" },
        { "merge lists of maps",
            "mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]",
            "{$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}",
            "mergingList: [{name: 4, value: 4}, {name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]" },
        { "merge lists of maps with conflict",
            "mergingList: [{name: 1, other: a}, {name: 2, value: 3, other: b}]",
            "{$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 2, value: 2}, {name: 3, value: 3}]}",
            "mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]" },
        { "add field to map in merging list with conflict",
            "mergingList: [{name: 1, other: a}, {name: 3, value: 2, other: b}]",
            "{$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}",
            "mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2}, {name: 3, value: 2, other: b}]" },
        { "delete map from merging list",
            "mergingList: [{name: 1}, {name: 2, other: b}]",
            "{$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 1, $patch: delete}]}",
            "mergingList: [{name: 2, other: b}]" },
        { "delete missing map from merging list with conflict",
            "mergingList: [{name: 3, other: a}]",
            "{$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 2}, {name: 1, $patch: delete}]}",
            "mergingList: [{name: 2}, {name: 3, other: a}]" },
        { "add map and delete map from merging list",
            "mergingList: [{name: 1}, {name: 2, other: b}, {name: 4, other: c}]",
            "{$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}",
            "mergingList: [{name: 2, other: b}, {name: 4, other: c}, {name: 3}]" },
        { "add map and delete map from merging list with conflict",
            "mergingList: [{name: 1, other: a}, {name: 4, other: c}]",
            "{$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 2}, {name: 3}, {name: 1, $patch: delete}]}",
            "mergingList: [{name: 4, other: c}, {name: 2}, {name: 3}]" },
        { "delete field from map in merging list",
            "mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2, other: b}]",
            "{$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: null}]}",
            "mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]" },
        { "replace non merging list nested in merging list",
            "mergingList: [{name: 1, other: a, nonMergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2, other: b}]",
            "{$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]}",
            "mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: 1}]}, {name: 2, other: b}]" },
        { "retainKeys clears keys not listed", "retainKeysMap: {name: foo, value: a, other: b}",
            "retainKeysMap: {$retainKeys: [name, simpleMap], simpleMap: {k: v}}", "retainKeysMap: {name: foo, simpleMap: {k: v}}" },
        { "replace strategy replaces the whole value", "replacingItem: {a: 1, b: 2}", "replacingItem: {b: 3}", "replacingItem: {b: 3}" },
        { "new element without $setElementOrder goes first", "mergingList: [{name: 1}, {name: 2}]", "mergingList: [{name: 3}]",
            "mergingList: [{name: 3}, {name: 1}, {name: 2}]" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesUpstream(string description, string original, string patch, string expected)
    {
        _ = description;
        var doc = Y(original)!;
        var before = Canon(doc);
        Equal(Y(expected), StrategicMergePatch.Apply(doc, Y(patch), MergeItem));
        Assert.Equal(before, Canon(doc));
    }

    public static TheoryData<string, string, int, string> Errors => new()
    {
        { "mergingList: [{name: 1}, {name: 3}, {name: 2}]",
            "{$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}",
            500, "the order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]" },
        { "mergingIntList: [1, 3, 2]", "{$setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3, 1]}",
            500, "the order in patch list:\n[3 1]\n doesn't match $setElementOrder list:\n[1 2 3]" },
        { "mergingList: [{name: 1, value: a}]", "mergingList: [{value: b}]", 500, "map: map[value:b] does not contain declared merge key: name" },
        { "mergingList: [{name: 1}]", "mergingList: [{name: 1, $patch: merge}]", 500, "merging lists cannot yet be specified in the patch" },
        { "mergingList: [{name: 1}]", "mergingList: [{name: 1, $patch: frob}]", 500, "unknown patch type: frob in map: map[$patch:frob name:1]" },
        { "simpleMap: {a: b}", "simpleMap: {$patch: merge}", 500, "unknown patch type: merge in map: map[$patch:merge]" },
        { "mergingList: [{name: 1}]", "mergingList: [{$patch: delete}]", 500, "map: map[$patch:delete] does not contain declared merge key: name" },
        { "retainKeysMap: {name: foo}", "retainKeysMap: {$retainKeys: [name], value: x}", 400, "invalid patch format of retainKeys" },
        { "retainKeysMap: {name: foo}", "retainKeysMap: {$retainKeys: name}", 400, "invalid patch format of retainKeys" },
        { "mergingIntList: [1]", "$deleteFromPrimitiveList: [1]", 400, "invalid patch format of primitive list" },
        { "mergingIntList: [1]", "$setElementOrderX/mergingIntList: [1]", 400, "invalid patch format of setElementOrder list" },
        { "mergingIntList: []", "mergingIntList: [[1]]", 422, "the server rejected our request due to an error in our request" },
        { "mergingIntList: [1]", "mergingIntList: [a]", 500, "list element types are not identical: [[1] [a]]" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void FailsAsUpstream(string original, string patch, int code, string message)
    {
        var e = Assert.Throws<ApiException>(() => StrategicMergePatch.Apply(Y(original)!, Y(patch), MergeItem));
        Assert.Equal(code, e.Code);
        Assert.Equal(message, e.Message);
    }
}

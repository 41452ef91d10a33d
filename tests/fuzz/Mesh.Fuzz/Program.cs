using Mesh.Fuzz.Targets;
using SharpFuzz;

// AFL++ harness for Mesh's parsers. The target comes from the first argument or MESH_FUZZ_TARGET:
//   afl-fuzz ... -- dotnet Mesh.Fuzz.dll deadline
// Without afl-fuzz it runs the target once over standard input (replaying a crasher prints its stack).
var target = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("MESH_FUZZ_TARGET");
if (target is null || !FuzzTargets.Names.Contains(target))
{
    await Console.Error.WriteLineAsync($"usage: Mesh.Fuzz <{string.Join('|', FuzzTargets.Names)}> (or MESH_FUZZ_TARGET)");
    return 2;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    FuzzTargets.Run(target, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;

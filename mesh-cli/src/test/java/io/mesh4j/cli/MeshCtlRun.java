package io.mesh4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One run of meshctl as a user runs it, in process: its exit code and what it printed on each stream. */
record MeshCtlRun(int exitCode, String out, String err) {

  static MeshCtlRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = MeshCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new MeshCtlRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static MeshCtlRun of(List<String> args) {
    return of(args.toArray(new String[0]));
  }
}

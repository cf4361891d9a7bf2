package io.mesh4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of the JVM's own threads, the JIT compilers' and the garbage collector's, which {@code ThreadMXBean} does
 * not show: read from Linux's {@code /proc/self/task}, by thread name. Empty where there is no such directory.
 */
final class JvmThreadCpu {
  /** Linux's USER_HZ, the unit of {@code utime} and {@code stime}: 100 on every mainstream kernel. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private JvmThreadCpu() {}

  /** CPU nanoseconds so far of the threads named {@code C1/C2 CompilerThread...} ("JIT") and the GC's ("GC"). */
  static Map<String, Long> now() {
    Map<String, Long> cpu = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(task -> {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException gone) {
          return; // the thread ended while listing
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String group = name.contains("CompilerThre") ? "JIT"
            : name.startsWith("GC Thread") || name.startsWith("G1 ") ? "GC" : null;
        if (group != null) {
          // Fields after "(name) ": state is the first, utime the 12th, stime the 13th.
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          cpu.merge(group, ticks * NANOS_PER_TICK, Long::sum);
        }
      });
    } catch (IOException | RuntimeException notLinux) {
      return Map.of();
    }
    return cpu;
  }
}

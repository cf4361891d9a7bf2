package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.util.XxHash64;
import java.util.Arrays;

/**
 * MAGLEV as Envoy's {@code MaglevTable}: each endpoint {@code ip:port} walks the table from
 * {@code xxHash64(key) % size} in steps of {@code xxHash64(key, seed 1) % (size - 1) + 1}, claiming free slots in
 * turns; an endpoint of normalized weight {@code w} takes a turn every {@code max_weight / w} rounds. A request goes to
 * {@code table[hash % size]}.
 */
final class MaglevHostPicker implements HostPicker {
  private final EndpointState[] hosts;
  private final int[] table;

  MaglevHostPicker(EndpointState[] hosts, double[] normalizedWeights, int tableSize) {
    this.hosts = hosts;
    int n = hosts.length;
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    double[] target = new double[n];
    double maxWeight = 0;
    for (int i = 0; i < n; i++) {
      String key = hosts[i].endpoint().hostPort();
      offset[i] = Long.remainderUnsigned(XxHash64.hash(key, 0), tableSize);
      skip[i] = Long.remainderUnsigned(XxHash64.hash(key, 1), tableSize - 1) + 1;
      maxWeight = Math.max(maxWeight, normalizedWeights[i]);
    }
    int[] slots = new int[tableSize];
    Arrays.fill(slots, -1);
    int filled = 0;
    for (long iteration = 1; filled < tableSize; iteration++) {
      for (int i = 0; i < n && filled < tableSize; i++) {
        if (iteration * normalizedWeights[i] < target[i]) {
          continue;
        }
        target[i] += maxWeight;
        int c = (int) ((offset[i] + skip[i] * next[i]) % tableSize);
        while (slots[c] >= 0) {
          next[i]++;
          c = (int) ((offset[i] + skip[i] * next[i]) % tableSize);
        }
        slots[c] = i;
        next[i]++;
        filled++;
      }
    }
    this.table = slots;
  }

  @Override
  public EndpointState pick(long hash, long random) {
    return hosts[table[(int) Long.remainderUnsigned(hash, table.length)]];
  }
}

package io.mesh4j.samples.interop;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * What the {@code rpc-behavior} request header asks the test server to do, as gRPC's XdsTestServer reads it: a
 * comma-separated list (possibly over several header values) of {@code sleep-N} (seconds), {@code keep-open} (never
 * answer), {@code error-code-N} (answer with status N) and {@code succeed-on-retry-attempt-N} (answer OK, skipping the
 * rest, when this is retry attempt N, i.e. N earlier attempts); an item prefixed {@code hostname=H } applies only on
 * server H. One transport-neutral plan, applied by the gRPC and the HTTP handlers alike.
 *
 * @param sleepSeconds how long to wait before answering
 * @param keepOpen whether never to answer
 * @param errorCode the status to answer with, or {@code null} for OK
 */
record RpcBehavior(int sleepSeconds, boolean keepOpen, Status.Code errorCode) {
  static final RpcBehavior NONE = new RpcBehavior(0, false, null);

  /**
   * @param headerValues every value of {@code rpc-behavior}, or empty
   * @param hostname this server's name
   * @param previousAttempts how many attempts of this RPC came before this one
   */
  static RpcBehavior parse(Iterable<String> headerValues, String hostname, int previousAttempts) {
    List<String> items = new ArrayList<>();
    if (headerValues != null) {
      for (String value : headerValues) {
        for (String item : value.split(",")) {
          if (!item.isBlank()) {
            items.add(item.trim());
          }
        }
      }
    }
    int sleep = 0;
    boolean keepOpen = false;
    Status.Code error = null;
    for (String item : items) {
      if (item.startsWith("hostname=")) {
        int space = item.indexOf(' ');
        if (space < 0) {
          throw new IllegalArgumentException("rpc-behavior '" + item + "': hostname=H must be followed by a behavior");
        }
        if (!item.substring("hostname=".length(), space).equals(hostname)) {
          continue;
        }
        item = item.substring(space + 1).trim();
      }
      if (item.startsWith("succeed-on-retry-attempt-")) {
        if (number(item, "succeed-on-retry-attempt-") == previousAttempts) {
          return NONE;
        }
      } else if (item.startsWith("sleep-")) {
        sleep = number(item, "sleep-");
      } else if (item.equals("keep-open")) {
        keepOpen = true;
      } else if (item.startsWith("error-code-")) {
        error = Status.fromCodeValue(number(item, "error-code-")).getCode();
      } else {
        throw new IllegalArgumentException("unknown rpc-behavior '" + item + "'");
      }
    }
    return new RpcBehavior(sleep, keepOpen, error);
  }

  private static int number(String item, String prefix) {
    try {
      return Integer.parseInt(item.substring(prefix.length()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rpc-behavior '" + item + "': not a number after " + prefix);
    }
  }
}

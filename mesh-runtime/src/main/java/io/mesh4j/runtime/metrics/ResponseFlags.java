package io.mesh4j.runtime.metrics;

import io.mesh4j.MeshRoutingException;

/**
 * Envoy's response flags ({@code %RESPONSE_FLAGS%}) as bits, printed as Envoy prints them: comma-separated, in
 * Envoy's order, {@code -} for none. The strings are made once per combination, so a request formats nothing.
 */
public final class ResponseFlags {
  public static final int NONE = 0;
  /** No healthy upstream. */
  public static final int UH = 1;
  /** Upstream request timeout. */
  public static final int UT = 1 << 1;
  /** Upstream connection failure. */
  public static final int UF = 1 << 2;
  /** Upstream connection termination (reset after connecting). */
  public static final int UC = 1 << 3;
  /** Upstream overflow (circuit breaking). */
  public static final int UO = 1 << 4;
  /** No route configured. */
  public static final int NR = 1 << 5;
  /** Request delayed by fault injection. */
  public static final int DI = 1 << 6;
  /** Request aborted by fault injection. */
  public static final int FI = 1 << 7;
  /** Downstream connection termination: the caller went away (cancelled). */
  public static final int DC = 1 << 8;
  /** Upstream retry limit exceeded. */
  public static final int URX = 1 << 9;
  /** No cluster found. */
  public static final int NC = 1 << 10;

  private static final String[] NAMES = {"UH", "UT", "UF", "UC", "UO", "NR", "DI", "FI", "DC", "URX", "NC"};
  private static final String[] FORMATTED = new String[1 << NAMES.length];

  static {
    for (int bits = 0; bits < FORMATTED.length; bits++) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < NAMES.length; i++) {
        if ((bits & (1 << i)) != 0) {
          out.append(out.length() == 0 ? "" : ",").append(NAMES[i]);
        }
      }
      FORMATTED[bits] = out.length() == 0 ? "-" : out.toString();
    }
  }

  private ResponseFlags() {}

  /** As Envoy writes them: {@code -}, {@code UH} or {@code UF,URX}. */
  public static String format(int flags) {
    return FORMATTED[flags & (FORMATTED.length - 1)];
  }

  /** The flag Envoy's short name stands for, or {@link #NONE} for "" or a name not modelled. */
  public static int of(String name) {
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i].equals(name)) {
        return 1 << i;
      }
    }
    return NONE;
  }

  /** The flag of a mesh refusal (its reason's Envoy flag). */
  public static int of(MeshRoutingException e) {
    return of(e.reason().responseFlag());
  }
}

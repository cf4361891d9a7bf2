package io.mesh4j.runtime.route;

import io.mesh4j.runtime.view.HeaderEditor;
import java.util.List;
import java.util.Objects;

/**
 * The {@code *_headers_to_add} / {@code *_headers_to_remove} of every level that applies to a route, in the order
 * Envoy applies them: by default route, then virtual host, then route configuration (so the most general level acts
 * last), the reverse when {@code most_specific_header_mutations_wins}. Within a level, removals come before
 * additions (Envoy's HeaderParser).
 */
public final class HeaderMutations {
  public static final HeaderMutations NONE = new HeaderMutations(List.of());

  /** Envoy's {@code HeaderValueOption.HeaderAppendAction}. */
  public enum AppendAction {
    APPEND_IF_EXISTS_OR_ADD,
    ADD_IF_ABSENT,
    OVERWRITE_IF_EXISTS_OR_ADD,
    OVERWRITE_IF_EXISTS
  }

  /** One header to add; empty values are skipped unless {@code keepEmptyValue}. */
  public record Addition(String name, String value, AppendAction action, boolean keepEmptyValue) {
    public Addition {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(action, "action");
    }
  }

  /** One level's removals and additions. */
  public record Level(List<String> remove, List<Addition> add) {
    public static final Level EMPTY = new Level(List.of(), List.of());

    public Level {
      remove = List.copyOf(remove);
      add = List.copyOf(add);
    }

    boolean isEmpty() {
      return remove.isEmpty() && add.isEmpty();
    }
  }

  private final List<Level> levels;

  private HeaderMutations(List<Level> levels) {
    this.levels = levels;
  }

  /** @param mostSpecificFirst the levels from the most specific (route) to the most general (route configuration) */
  static HeaderMutations of(List<Level> mostSpecificFirst, boolean mostSpecificWins) {
    List<Level> ordered = new java.util.ArrayList<>();
    for (Level level : mostSpecificFirst) {
      if (!level.isEmpty()) {
        ordered.add(level);
      }
    }
    if (ordered.isEmpty()) {
      return NONE;
    }
    if (mostSpecificWins) {
      java.util.Collections.reverse(ordered);
    }
    return new HeaderMutations(List.copyOf(ordered));
  }

  public boolean isEmpty() {
    return levels.isEmpty();
  }

  public void apply(HeaderEditor headers) {
    for (Level level : levels) {
      for (String name : level.remove()) {
        headers.remove(name);
      }
      for (Addition a : level.add()) {
        if (a.value().isEmpty() && !a.keepEmptyValue()) {
          continue;
        }
        switch (a.action()) {
          case APPEND_IF_EXISTS_OR_ADD:
            headers.add(a.name(), a.value());
            break;
          case ADD_IF_ABSENT:
            if (!headers.has(a.name())) {
              headers.add(a.name(), a.value());
            }
            break;
          case OVERWRITE_IF_EXISTS_OR_ADD:
            headers.set(a.name(), a.value());
            break;
          case OVERWRITE_IF_EXISTS:
            if (headers.has(a.name())) {
              headers.set(a.name(), a.value());
            }
            break;
          default:
            throw new AssertionError(a.action());
        }
      }
    }
  }
}

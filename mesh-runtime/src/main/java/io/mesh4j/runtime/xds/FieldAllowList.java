package io.mesh4j.runtime.xds;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * For one message type, which set fields a decoder reads, which it accepts but ignores (noted once through
 * {@link DecodeContext#ignoredField}), and, implicitly, that every other set field is rejected naming its path. New
 * Envoy fields are therefore rejected until someone decides what they mean for us. Every decoder (LDS, RDS, CDS, EDS,
 * SDS, HTTP filters) uses this one check.
 *
 * <p>Two ways of naming things, kept from the decoders' history because control planes and tests see the texts:
 * <ul>
 *   <li>{@link #of}: route-level messages (repeated per route). A note names the message type, not the path, so it is
 *       noted once however many routes carry the field; a rejection says "not supported yet". Paths are built with
 *       {@code FieldPath} (no trailing dot).
 *   <li>{@link #check(MessageOrBuilder, String, Set, Set, String, DecodeContext)}: resource-level messages. A note
 *       says which resource ({@code owner}, e.g. "CDS") and path; a rejection says "not supported". {@code path} ends
 *       with a dot, or is "" at the root.
 * </ul>
 */
public final class FieldAllowList {
  private static final String NOT_SUPPORTED_YET = "not supported yet";
  private static final String NOT_SUPPORTED = "not supported";

  private final Set<String> read;
  private final Map<String, String> ignoredWithReason;

  private FieldAllowList(Set<String> read, Map<String, String> ignoredWithReason) {
    this.read = read;
    this.ignoredWithReason = ignoredWithReason;
  }

  /** A list for a route-level message: ignored fields carry the reason shown in the note. */
  public static FieldAllowList of(Set<String> read, Map<String, String> ignoredWithReason) {
    return new FieldAllowList(Set.copyOf(read), Map.copyOf(ignoredWithReason));
  }

  /**
   * @param path the message's field path, "" for the resource itself
   */
  public void check(MessageOrBuilder message, String path, DecodeContext context) throws ResourceInvalidException {
    String rejected = firstRejected(message, read, ignoredWithReason.keySet(), field ->
        // Named by type, not by index, so that the client notes it once however many routes carry it.
        context.ignoredField(message.getDescriptorForType().getFullName() + "." + field + ": "
            + ignoredWithReason.get(field)));
    if (rejected != null) {
      throw new ResourceInvalidException((path.isEmpty() ? "" : path + ".") + rejected + ": " + NOT_SUPPORTED_YET);
    }
  }

  /**
   * The check for a resource-level message.
   *
   * @param path the message's field path with a trailing dot, or "" at the root
   * @param owner what the note is about, e.g. "LDS HttpConnectionManager"
   */
  public static void check(MessageOrBuilder message, String path, Set<String> read, Set<String> ignorable,
      String owner, DecodeContext context) throws ResourceInvalidException {
    check(message, () -> path, read, ignorable, owner, context);
  }

  /** As {@link #check(MessageOrBuilder, String, Set, Set, String, DecodeContext)}, the path built only if needed. */
  public static void check(MessageOrBuilder message, Supplier<String> path, Set<String> read, Set<String> ignorable,
      String owner, DecodeContext context) throws ResourceInvalidException {
    String rejected = firstRejected(message, read, ignorable,
        field -> context.ignoredField(owner + ": " + path.get() + field));
    if (rejected != null) {
      throw new ResourceInvalidException(path.get() + rejected + ": " + NOT_SUPPORTED);
    }
  }

  private interface Note {
    void ignored(String field);
  }

  /**
   * Notes every ignorable set field; returns the first set field (by number, as {@code getAllFields} orders them)
   * neither read nor ignorable, or null. Only the fields not read are looked at: {@code getAllFields} asks every field
   * of the message whether it is set, by reflection, and builds a sorted map of them, three times per endpoint of an
   * EDS response.
   */
  private static String firstRejected(MessageOrBuilder message, Set<String> read, Set<String> ignorable, Note note) {
    for (FieldDescriptor field : notRead(message.getDescriptorForType(), read)) {
      boolean set = field.isRepeated() ? message.getRepeatedFieldCount(field) > 0 : message.hasField(field);
      if (!set) {
        continue;
      }
      String name = field.getName();
      if (ignorable.contains(name)) {
        note.ignored(name);
        continue;
      }
      return name;
    }
    return null;
  }

  /** Per message type, its fields outside the last read set it was checked with; as many entries as message types. */
  private static final Map<Descriptor, NotRead> NOT_READ = new ConcurrentHashMap<>();

  private record NotRead(Set<String> read, List<FieldDescriptor> fields) {}

  private static List<FieldDescriptor> notRead(Descriptor type, Set<String> read) {
    NotRead known = NOT_READ.get(type);
    if (known != null && (known.read == read || known.read.equals(read))) {
      return known.fields;
    }
    List<FieldDescriptor> fields = new ArrayList<>();
    for (FieldDescriptor field : type.getFields()) {
      if (!read.contains(field.getName())) {
        fields.add(field);
      }
    }
    fields.sort(Comparator.comparingInt(FieldDescriptor::getNumber));
    NotRead computed = new NotRead(Set.copyOf(read), List.copyOf(fields));
    NOT_READ.put(type, computed);
    return computed.fields;
  }
}

package io.mesh4j.runtime.route;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Map;
import java.util.Set;

/**
 * For one message type, which set fields the decoder implements and which it accepts but ignores (with the reason).
 * Every other set field, including fields added to the API later, is rejected as not supported, so that nothing that
 * would change a request is silently dropped.
 */
public final class FieldPolicy {
  private final Set<String> handled;
  private final Map<String, String> ignored;

  private FieldPolicy(Set<String> handled, Map<String, String> ignored) {
    this.handled = handled;
    this.ignored = ignored;
  }

  public static FieldPolicy of(Set<String> handled, Map<String, String> ignoredWithReason) {
    return new FieldPolicy(Set.copyOf(handled), Map.copyOf(ignoredWithReason));
  }

  /**
   * @param path the message's field path, "" for the resource itself
   */
  public void check(MessageOrBuilder message, String path, DecodeContext context) throws ResourceInvalidException {
    for (FieldDescriptor field : message.getAllFields().keySet()) {
      String name = field.getName();
      if (handled.contains(name)) {
        continue;
      }
      String reason = ignored.get(name);
      if (reason != null) {
        // Named by type, not by index, so that the client notes it once however many routes carry it.
        context.ignoredField(message.getDescriptorForType().getFullName() + "." + name + ": " + reason);
        continue;
      }
      throw new ResourceInvalidException(FieldPath.of(path, name) + ": not supported yet");
    }
  }
}

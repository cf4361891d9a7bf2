package io.mesh4j.runtime.testing;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random changes to a valid proto through its descriptors: fields set to hostile values (out-of-range numbers,
 * huge or odd strings, unknown enum numbers), cleared, repeated elements duplicated (duplicate names), removed or
 * multiplied, messages emptied or nested deeply. {@code Any} fields whose type is in {@code packedTypes} are unpacked,
 * changed and packed again, so the mutations reach the HCM inside a listener and the filter configs inside it.
 *
 * <p>The same seed and input always give the same output, so a failing case is replayed from its seed.
 */
public final class ProtoMutator {
  /** Envoy protos are a few levels deep; beyond this, mutate where we are. */
  private static final int MAX_DESCENT = 12;

  private final Random random;
  private final Map<String, Message> packedTypes;
  private final int maxNesting;

  /**
   * @param packedTypes default instances of the messages {@code Any} fields may carry, by type URL
   * @param maxNesting the deepest self-nesting to build (the protobuf parser refuses more than 100 levels per message)
   */
  public ProtoMutator(long seed, Map<String, Message> packedTypes, int maxNesting) {
    this.random = new Random(seed);
    this.packedTypes = packedTypes;
    this.maxNesting = maxNesting;
  }

  /** {@code base} with one to three random changes. */
  public <T extends Message> T mutate(T base) {
    Message out = base;
    int changes = 1 + random.nextInt(3);
    for (int i = 0; i < changes; i++) {
      out = mutateSomewhere(out, 0);
    }
    @SuppressWarnings("unchecked")
    T typed = (T) out;
    return typed;
  }

  private Message mutateSomewhere(Message message, int depth) {
    List<FieldDescriptor> children = new ArrayList<>();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && (field.isRepeated() ? message.getRepeatedFieldCount(field) > 0 : message.hasField(field))) {
        children.add(field);
      }
    }
    if (!children.isEmpty() && depth < MAX_DESCENT && random.nextInt(100) < 75) {
      FieldDescriptor field = children.get(random.nextInt(children.size()));
      Message.Builder builder = message.toBuilder();
      if (field.isRepeated()) {
        int index = random.nextInt(message.getRepeatedFieldCount(field));
        builder.setRepeatedField(field, index,
            mutateChild((Message) message.getRepeatedField(field, index), depth + 1));
      } else {
        builder.setField(field, mutateChild((Message) message.getField(field), depth + 1));
      }
      return builder.build();
    }
    return mutateHere(message);
  }

  private Message mutateChild(Message child, int depth) {
    if (child instanceof Any any && packedTypes.containsKey(any.getTypeUrl()) && random.nextInt(100) < 85) {
      Message prototype = packedTypes.get(any.getTypeUrl());
      try {
        Message inner = prototype.getParserForType().parseFrom(any.getValue());
        return Any.newBuilder().setTypeUrl(any.getTypeUrl())
            .setValue(mutateSomewhere(inner, depth).toByteString()).build();
      } catch (InvalidProtocolBufferException e) {
        return child; // an earlier change broke the bytes; leave them broken
      }
    }
    return mutateSomewhere(child, depth);
  }

  /** One change to a field of {@code message} itself. */
  private Message mutateHere(Message message) {
    Descriptor type = message.getDescriptorForType();
    List<FieldDescriptor> fields = type.getFields();
    if (fields.isEmpty()) {
      return message;
    }
    // Favour fields that are set: changing those is what turns a valid resource into a subtly invalid one.
    List<FieldDescriptor> set = new ArrayList<>(message.getAllFields().keySet());
    FieldDescriptor field = !set.isEmpty() && random.nextBoolean()
        ? set.get(random.nextInt(set.size()))
        : fields.get(random.nextInt(fields.size()));
    Message.Builder builder = message.toBuilder();
    int op = random.nextInt(10);
    if (op == 0) {
      builder.clearField(field);
    } else if (field.isRepeated()) {
      mutateRepeated(message, builder, field);
    } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      builder.setField(field, messageValue(message, field, (Message) message.getField(field)));
    } else {
      builder.setField(field, scalar(field, message));
    }
    return builder.build();
  }

  private void mutateRepeated(Message message, Message.Builder builder, FieldDescriptor field) {
    int count = message.getRepeatedFieldCount(field);
    int op = random.nextInt(5);
    if (count > 0 && op == 0) {
      // Duplicates: the same element (and so the same name) once more, or many times more.
      Object element = message.getRepeatedField(field, random.nextInt(count));
      int copies = random.nextInt(4) == 0 ? 500 : 1;
      for (int i = 0; i < copies; i++) {
        builder.addRepeatedField(field, element);
      }
    } else if (count > 0 && op == 1) {
      List<Object> kept = new ArrayList<>();
      int removed = random.nextInt(count);
      for (int i = 0; i < count; i++) {
        if (i != removed) {
          kept.add(message.getRepeatedField(field, i));
        }
      }
      builder.setField(field, kept);
    } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      Message existing = count > 0 ? (Message) message.getRepeatedField(field, random.nextInt(count)) : null;
      Message prototype = builder.newBuilderForField(field).getDefaultInstanceForType();
      Message value = messageValue(message, field, existing == null ? prototype : existing);
      if (count > 0 && op == 2) {
        builder.setRepeatedField(field, random.nextInt(count), value);
      } else {
        builder.addRepeatedField(field, value);
      }
    } else {
      Object value = scalar(field, message);
      if (count > 0 && op == 2) {
        builder.setRepeatedField(field, random.nextInt(count), value);
      } else {
        builder.addRepeatedField(field, value);
      }
    }
  }

  /** A new value for a message field: emptied, nested in itself, or with one of its own fields changed. */
  private Message messageValue(Message parent, FieldDescriptor field, Message current) {
    int op = random.nextInt(4);
    if (op == 0) {
      return current.getDefaultInstanceForType();
    }
    if (op == 1) {
      Message nested = nestDeeply(current);
      if (nested != null) {
        return nested;
      }
    }
    return mutateHere(current);
  }

  /**
   * {@code inner} wrapped in its own type many times, where the type can hold itself within two fields (RBAC's
   * {@code and_rules.rules}, {@code not_rule}, a matcher's {@code and_match}); null when it cannot.
   */
  private Message nestDeeply(Message inner) {
    Descriptor type = inner.getDescriptorForType();
    List<FieldDescriptor[]> routes = new ArrayList<>();
    for (FieldDescriptor f : type.getFields()) {
      if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.getMessageType().equals(type)) {
        routes.add(new FieldDescriptor[] {f});
      } else {
        for (FieldDescriptor g : f.getMessageType().getFields()) {
          if (g.getJavaType() == FieldDescriptor.JavaType.MESSAGE && g.getMessageType().equals(type)) {
            routes.add(new FieldDescriptor[] {f, g});
          }
        }
      }
    }
    if (routes.isEmpty()) {
      return null;
    }
    FieldDescriptor[] route = routes.get(random.nextInt(routes.size()));
    int levels = 1 + random.nextInt(maxNesting);
    Message out = inner;
    for (int i = 0; i < levels; i++) {
      Message.Builder outer = inner.newBuilderForType();
      if (route.length == 1) {
        put(outer, route[0], out);
      } else {
        Message.Builder middle = outer.newBuilderForField(route[0]);
        put(middle, route[1], out);
        put(outer, route[0], middle.build());
      }
      out = outer.build();
    }
    return out;
  }

  private static void put(Message.Builder builder, FieldDescriptor field, Object value) {
    if (field.isRepeated()) {
      builder.addRepeatedField(field, value);
    } else {
      builder.setField(field, value);
    }
  }

  private Object scalar(FieldDescriptor field, Message context) {
    return switch (field.getJavaType()) {
      case INT -> pick(0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 65536, random.nextInt());
      case LONG -> pick(0L, -1L, 1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, random.nextLong());
      case FLOAT -> pick(0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.MAX_VALUE, random.nextFloat() * 200 - 100);
      case DOUBLE -> pick(0d, -1d, Double.NaN, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, 1e-300,
          random.nextDouble() * 200 - 100);
      case BOOLEAN -> !(Boolean) context.getField(field);
      case STRING -> string(context);
      case BYTE_STRING -> ByteString.copyFrom(bytes());
      case ENUM -> enumValue(field.getEnumType());
      case MESSAGE -> throw new IllegalStateException("not a scalar: " + field);
    };
  }

  private Object enumValue(EnumDescriptor type) {
    if (random.nextInt(4) == 0) {
      return type.findValueByNumberCreatingIfUnknown(1000 + random.nextInt(1000));
    }
    return type.getValues().get(random.nextInt(type.getValues().size()));
  }

  private String string(Message context) {
    return switch (random.nextInt(12)) {
      case 0 -> "";
      case 1 -> "x".repeat(1 << (10 + random.nextInt(11))); // 1 KB to 1 MB
      case 2 -> "\u0000\uffff\ud800 \r\n\t:";
      case 3 -> "((a{1000}){1000}){1000}";
      case 4 -> "[";
      case 5 -> "*";
      case 6 -> "%REQ(:path)%%";
      case 7 -> "type.googleapis.com/google.protobuf.Empty";
      case 8 -> "spiffe://cluster.local/ns/default/sa/x";
      case 9 -> "127.0.0.1";
      case 10 -> otherString(context);
      default -> Long.toString(random.nextLong(), 36);
    };
  }

  /** Another string of the same message (a duplicate name, a reference pointing elsewhere). */
  private String otherString(Message context) {
    List<String> strings = new ArrayList<>();
    for (Map.Entry<FieldDescriptor, Object> e : context.getAllFields().entrySet()) {
      if (e.getValue() instanceof String s) {
        strings.add(s);
      }
    }
    return strings.isEmpty() ? "dup" : strings.get(random.nextInt(strings.size()));
  }

  private byte[] bytes() {
    byte[] out = new byte[random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(64)];
    random.nextBytes(out);
    return out;
  }

  @SafeVarargs
  private <T> T pick(T... values) {
    return values[random.nextInt(values.length)];
  }
}

package io.dovetail.common.protocol;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.transport.ReceivePool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Splits the byte stream into frames and decodes each into a {@link Message}. Rejects, with a
 * {@link FrameException}, a frame that is too short, too long, of another version or of an
 * unknown type, or whose fields do not parse. One instance per channel; runs on its event loop.
 *
 * <p>With a {@link ReceivePool}, the body of a frame the pool accepts is copied, as it arrives,
 * into a buffer of the pool, and the decoded message holds that buffer instead of the socket's
 * receive buffers.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
  /** length:int32 version:int8 type:int8 requestId:int64. */
  public static final int HEADER_SIZE = 14;
  /** Bytes counted by the length field that belong to the header. */
  static final int HEADER_AFTER_LENGTH = HEADER_SIZE - 4;
  public static final byte VERSION = 1;
  /**
   * The largest HELLO: a client name and a secret of 4 KiB each (the secret's limit), with room
   * to spare. Small enough that HELLOs are never admitted against a memory budget: a peer without
   * the secret holds no budget.
   */
  public static final int MAX_HELLO_FRAME = 10 * 1024;

  private final int maxFrameSize;
  private final FrameAdmission admission;
  private final ReceivePool receivePool;
  private int admitted = -1;
  private int admittedLength;
  /** The body being received into {@link #receivePool}, with its frame's type and request id. */
  private ByteBuf receiving;
  private MessageType receivingType;
  private long receivingId;
  /**
   * Set from a refused admission until {@link #wakeUp} runs, while reading has stopped: what the
   * admission will run, cancelled if the channel goes first.
   */
  private Runnable pendingWakeUp;
  private boolean failed;
  /** Null, or whether the channel has authenticated: until then only a HELLO is read. */
  private final Predicate<Channel> authenticated;
  private final long stallTimeoutNanos;
  private long lastReadNanos;
  private long addedNanos;
  private ScheduledFuture<?> stallCheck;

  public FrameDecoder(int maxFrameSize, FrameAdmission admission) {
    this(maxFrameSize, admission, null);
  }

  /** @param receivePool where large bodies are received, or null to leave them in place */
  public FrameDecoder(int maxFrameSize, FrameAdmission admission, ReceivePool receivePool) {
    this(maxFrameSize, admission, receivePool, null, null);
  }

  private FrameDecoder(int maxFrameSize, FrameAdmission admission, ReceivePool receivePool,
      Predicate<Channel> authenticated, Duration stallTimeout) {
    this.maxFrameSize = maxFrameSize;
    this.admission = admission;
    this.receivePool = receivePool;
    this.authenticated = authenticated;
    this.stallTimeoutNanos = stallTimeout == null ? 0 : stallTimeout.toNanos();
    // Frames carry up to megabytes of payload: gather the socket's buffers instead of copying
    // them into one growing buffer.
    setCumulator(GATHERING);
  }

  /** Components a cumulation may reach before its trailing small ones are merged. */
  static final int MAX_COMPONENTS = 64;
  /** A component smaller than this is merged with its small neighbours. */
  static final int SMALL_COMPONENT = 4096;

  /**
   * Gathers reads as components without copying them, except that a run of small ones (a peer
   * that sends a byte at a time) is merged once there are many: each read's buffer holds at
   * least 64 bytes and a component object, so a trickled frame would otherwise hold some 70
   * times its length while being admitted for its length only. A byte is copied a bounded
   * number of times (merged components stop being small after a few merges).
   */
  private static final Cumulator GATHERING = (alloc, cumulation, in) -> {
    ByteBuf out = COMPOSITE_CUMULATOR.cumulate(alloc, cumulation, in);
    if (out instanceof CompositeByteBuf c && c.numComponents() > MAX_COMPONENTS) {
      int n = c.numComponents();
      int from = n;
      while (from > 0 && c.internalComponent(from - 1).readableBytes() < SMALL_COMPONENT) {
        from--;
      }
      if (n - from >= 2) {
        c.consolidate(from, n - from);
      }
    }
    return out;
  };

  /**
   * A server's decoder. With {@code authenticated} (null when no secret is set), a connection
   * that has not authenticated may send only one HELLO of at most {@link #MAX_HELLO_FRAME}
   * bytes, within {@code stallTimeout} of connecting: any other frame closes it at its header,
   * before it is admitted or buffered, so a peer without the secret holds no memory budget and
   * at most a HELLO's bytes, for a while. A frame admitted and then not
   * received for {@code stallTimeout} while this side reads (a peer that stopped mid-frame: it
   * froze, or its host or network went away) closes the connection with TIMEOUT, giving back
   * the memory the frame held.
   */
  public static FrameDecoder forServer(int maxFrameSize, FrameAdmission admission,
      Predicate<Channel> authenticated, Duration stallTimeout) {
    return new FrameDecoder(maxFrameSize, admission, null, authenticated, stallTimeout);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    lastReadNanos = System.nanoTime();
    addedNanos = lastReadNanos;
    if (stallTimeoutNanos > 0) {
      long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), stallTimeoutNanos / 4);
      stallCheck = ctx.executor().scheduleAtFixedRate(() -> checkStall(ctx), period, period,
          TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    lastReadNanos = System.nanoTime();
    super.channelRead(ctx, msg);
  }

  /**
   * On the event loop: fails the connection if an admitted frame stopped arriving, or if it has
   * not authenticated within the timeout of its start.
   */
  private void checkStall(ChannelHandlerContext ctx) {
    if (failed || !ctx.channel().isActive()) {
      return;
    }
    if (authenticated != null && !authenticated.test(ctx.channel())
        && System.nanoTime() - addedNanos > stallTimeoutNanos) {
      fail();
      ctx.fireExceptionCaught(new FrameException(ErrorCode.AUTH_FAILED, "no HELLO within "
          + TimeUnit.NANOSECONDS.toMillis(stallTimeoutNanos) + " ms of connecting"));
      return;
    }
    if (admitted < 0 || pendingWakeUp != null || !ctx.channel().config().isAutoRead()) {
      return;
    }
    long idle = System.nanoTime() - lastReadNanos;
    if (idle > stallTimeoutNanos) {
      int length = admittedLength;
      fail();
      ctx.fireExceptionCaught(new FrameException(ErrorCode.TIMEOUT, "a frame of "
          + length + " bytes stopped arriving: nothing received for "
          + TimeUnit.NANOSECONDS.toMillis(idle) + " ms"));
    }
  }

  /**
   * Nothing more is decoded from this connection: the memory admitted for an unfinished frame
   * goes back now, not when the connection has finished closing (which waits for the error
   * answer to be written, and a peer that does not read delays that).
   */
  private void fail() {
    failed = true;
    releaseFrame();
  }

  /** Gives back the admission and the receive buffer of an unfinished frame, if any. */
  private void releaseFrame() {
    if (admitted > 0) {
      admission.release(admitted);
    }
    admitted = -1;
    if (receiving != null) {
      receiving.release();
      receiving = null;
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      // The connection is closing after a bad frame; nothing after it can be trusted.
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      decodeFrames(ctx, in, out);
    } catch (FrameException e) {
      fail();
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  private void decodeFrames(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (pendingWakeUp == null && (receiving != null ? in.isReadable() : in.readableBytes() >= HEADER_SIZE)) {
      if (receiving != null) {
        in.readBytes(receiving, Math.min(in.readableBytes(), receiving.writableBytes()));
        if (receiving.isWritable()) {
          return;
        }
        ByteBuf fields = receiving;
        receiving = null;
        try {
          emit(receivingType, receivingId, fields, out);
        } finally {
          fields.release();
        }
        continue;
      }
      int start = in.readerIndex();
      int length = in.getInt(start);
      if (length < HEADER_AFTER_LENGTH) {
        throw new FrameException(ErrorCode.MALFORMED_FRAME, "frame length " + length);
      }
      if (length > maxFrameSize) {
        throw new FrameException(ErrorCode.FRAME_TOO_LARGE,
            "frame of " + length + " bytes exceeds the limit of " + maxFrameSize);
      }
      byte version = in.getByte(start + 4);
      if (version != VERSION) {
        throw new FrameException(ErrorCode.UNSUPPORTED_VERSION,
            "protocol version " + version + ", this server speaks " + VERSION);
      }
      MessageType type = MessageType.fromId(in.getByte(start + 5));
      if (type == null) {
        throw new FrameException(ErrorCode.MALFORMED_FRAME,
            "unknown message type " + in.getByte(start + 5));
      }
      if (type == MessageType.HELLO && length > MAX_HELLO_FRAME) {
        throw new FrameException(ErrorCode.FRAME_TOO_LARGE,
            "HELLO of " + length + " bytes exceeds the limit of " + MAX_HELLO_FRAME);
      }
      boolean helloFirst = authenticated != null && !authenticated.test(ctx.channel());
      if (helloFirst && type != MessageType.HELLO) {
        throw new FrameException(ErrorCode.AUTH_FAILED,
            type + " before authentication: authenticate with HELLO first");
      }
      if (admitted < 0) {
        Runnable wake = () -> wakeUp(ctx);
        int r = admission.tryAdmit(type, length, wake);
        if (r < 0) {
          pendingWakeUp = wake;
          ctx.channel().config().setAutoRead(false);
          return;
        }
        admitted = r;
        admittedLength = length;
      }
      int bodyLength = length - HEADER_AFTER_LENGTH;
      if (receivePool != null && receivePool.accepts(bodyLength)) {
        receivingType = type;
        receivingId = in.getLong(start + 6);
        in.skipBytes(HEADER_SIZE);
        receiving = receivePool.take(bodyLength);
        continue;
      }
      if (in.readableBytes() < 4 + length) {
        return;
      }
      long requestId = in.getLong(start + 6);
      in.skipBytes(HEADER_SIZE);
      emit(type, requestId, in.readSlice(bodyLength), out);
      if (helloFirst) {
        return; // the HELLO must authenticate the channel before the next header is judged
      }
    }
  }

  /** Decodes the admitted frame whose fields are {@code fields} and passes it on. */
  private void emit(MessageType type, long requestId, ByteBuf fields, List<Object> out) {
    int reserved = admitted;
    admitted = -1;
    Message m;
    try {
      m = decodeFields(type, fields);
    } catch (RuntimeException e) {
      admission.release(reserved);
      if (e instanceof FrameException) {
        throw e;
      }
      throw new FrameException(ErrorCode.MALFORMED_FRAME, "cannot decode " + type + ": " + e);
    }
    m.requestId(requestId);
    m.admittedBytes(reserved);
    out.add(m);
  }

  private void wakeUp(ChannelHandlerContext ctx) {
    try {
      ctx.executor().execute(() -> resume(ctx));
    } catch (RejectedExecutionException e) {
      // The event loop has shut down, and the channel with it: nothing to resume.
    }
  }

  private void resume(ChannelHandlerContext ctx) {
    if (pendingWakeUp == null) {
      return;
    }
    pendingWakeUp = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    ctx.channel().config().setAutoRead(true);
    try {
      // Re-run decoding over bytes already received: they may hold the whole frame.
      channelRead(ctx, Unpooled.EMPTY_BUFFER);
    } catch (Exception e) {
      ctx.fireExceptionCaught(e);
    }
  }

  /**
   * While waiting for admission, reading must really stop. {@link ByteToMessageDecoder} asks for
   * another read whenever a read produced no message and auto-read is off, which would pull the
   * whole stream into memory the admission never counted.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (pendingWakeUp != null) {
      discardSomeReadBytes();
      ctx.fireChannelReadComplete();
      return;
    }
    super.channelReadComplete(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (stallCheck != null) {
      stallCheck.cancel(false);
      stallCheck = null;
    }
    if (pendingWakeUp != null) {
      admission.cancel(pendingWakeUp);
      pendingWakeUp = null;
    }
    releaseFrame();
  }

  /** Decodes the fields (and body) of one frame of {@code type}. */
  static Message decodeFields(MessageType type, ByteBuf in) {
    Message m = switch (type) {
      case HELLO -> HelloRequest.decode(in);
      case STATUS -> StatusResponse.decode(in);
      case PUSH, PUSH_FORWARD -> PushRequest.decode(in);
      case PUSH_RESPONSE -> PushResponse.decode(in);
      case SEAL -> SealRequest.decode(in);
      case OPEN_STREAM -> OpenStreamRequest.decode(in);
      case STREAM_OPENED -> StreamOpened.decode(in);
      case FETCH_CHUNK -> FetchChunkRequest.decode(in);
      case CHUNK -> ChunkResponse.decode(in);
      case CLOSE_STREAM -> CloseStreamRequest.decode(in);
    };
    if (in.isReadable()) {
      m.release();
      throw new FrameException(ErrorCode.MALFORMED_FRAME,
          in.readableBytes() + " unexpected trailing bytes in " + type);
    }
    if (m.type() != type) {
      m.release();
      throw new FrameException(ErrorCode.MALFORMED_FRAME,
          "a " + type + " frame holds a " + m.type() + " (the forwarded flag disagrees)");
    }
    return m;
  }
}

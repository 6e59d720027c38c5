package io.dovetail.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.FrameException;
import io.dovetail.common.protocol.MessageType;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakDetectionExtension.class)
class MemoryBudgetTest {
  private static final Runnable NOOP = () -> { };

  @Test
  void onlyPushFramesAreAccounted() {
    MemoryBudget b = new MemoryBudget(1000, 800);
    assertThat(b.tryAdmit(MessageType.SEAL, 500, NOOP)).isZero();
    assertThat(b.tryAdmit(MessageType.FETCH_CHUNK, 5000, NOOP)).isZero();
    assertThat(b.used()).isZero();
  }

  @Test
  void pushReservesTheFrameAndItsCopy() {
    MemoryBudget b = new MemoryBudget(1000, 800);
    assertThat(b.tryAdmit(MessageType.PUSH, 300, NOOP)).isEqualTo(300);
    assertThat(b.used()).isEqualTo(600);
    b.release(300);
    assertThat(b.used()).isZero();
    assertThat(b.peak()).isEqualTo(600);
  }

  @Test
  void exhaustedBudgetRefusesThenWakesWhenMemoryFrees() {
    MemoryBudget b = new MemoryBudget(1000, 900);
    AtomicInteger pressure = new AtomicInteger();
    b.pressureListener(pressure::incrementAndGet);
    AtomicInteger woken = new AtomicInteger();
    assertThat(b.tryAdmit(MessageType.PUSH, 400, NOOP)).isEqualTo(400);
    assertThat(b.tryAdmit(MessageType.PUSH, 200, woken::incrementAndGet)).isEqualTo(-1);
    assertThat(pressure.get()).isPositive();
    assertThat(b.waitingBytes()).isEqualTo(400);
    b.releaseBytes(100);
    assertThat(woken.get()).as("200 free, 400 needed").isZero();
    b.releaseBytes(300);
    assertThat(woken.get()).isEqualTo(1);
    assertThat(b.waitingBytes()).isZero();
    assertThat(b.tryAdmit(MessageType.PUSH, 200, NOOP)).isEqualTo(200);
    assertThat(b.used()).isEqualTo(800);
    assertThat(b.peak()).isLessThanOrEqualTo(1000);
  }

  @Test
  void aCancelledWaiterIsForgottenAndNeverWoken() {
    MemoryBudget b = new MemoryBudget(1000, 900);
    AtomicInteger woken = new AtomicInteger();
    Runnable closed = woken::incrementAndGet;
    assertThat(b.tryAdmit(MessageType.PUSH, 300, NOOP)).isEqualTo(300);
    assertThat(b.tryAdmit(MessageType.PUSH, 200, closed)).isEqualTo(-1);
    assertThat(b.tryReserveNow(10)).as("nothing extra while a connection waits").isFalse();
    b.cancel(closed);
    assertThat(b.waitingBytes()).isZero();
    assertThat(b.tryReserveNow(10)).as("no waiter left").isTrue();
    b.releaseBytes(610);
    assertThat(woken.get()).isZero();
    b.cancel(closed); // again, or after it ran: nothing happens
    assertThat(b.used()).isZero();
  }

  @Test
  void aWakeUpThatFailsDoesNotFailTheReleaseNorStopOtherWakeUps() {
    MemoryBudget b = new MemoryBudget(1000, 900);
    AtomicInteger woken = new AtomicInteger();
    assertThat(b.tryAdmit(MessageType.PUSH, 400, NOOP)).isEqualTo(400);
    assertThat(b.tryAdmit(MessageType.PUSH, 100, () -> {
      throw new java.util.concurrent.RejectedExecutionException("event executor terminated");
    })).isEqualTo(-1);
    assertThat(b.tryAdmit(MessageType.PUSH, 100, woken::incrementAndGet)).isEqualTo(-1);
    b.release(400);
    assertThat(woken.get()).isEqualTo(1);
    assertThat(b.used()).isZero();
    assertThat(b.waitingBytes()).isZero();
    assertThat(b.tryAdmit(MessageType.PUSH, 100, NOOP)).isEqualTo(100);
  }

  @Test
  void replicaTrafficKeepsRoomWhenClientPushesAreHeldBack() {
    MemoryBudget b = new MemoryBudget(1000, 900);
    assertThat(b.clientLimit()).isEqualTo(800);
    assertThat(b.tryAdmit(MessageType.PUSH, 400, NOOP)).isEqualTo(400);
    assertThat(b.tryAdmit(MessageType.PUSH, 50, NOOP)).as("client share used up").isEqualTo(-1);
    assertThat(b.tryAdmit(MessageType.PUSH_FORWARD, 100, NOOP))
        .as("a replica's frame still fits in the rest").isEqualTo(100);
    assertThat(b.used()).isEqualTo(1000);
    assertThat(b.tryAdmit(MessageType.PUSH_FORWARD, 1, NOOP)).isEqualTo(-1);
    assertThat(b.peak()).isLessThanOrEqualTo(1000);
  }

  @Test
  void frameLargerThanTheBudgetIsRefusedClearly() {
    MemoryBudget b = new MemoryBudget(1000, 900);
    assertThatThrownBy(() -> b.tryAdmit(MessageType.PUSH, 501, NOOP))
        .isInstanceOf(FrameException.class)
        .satisfies(e -> assertThat(((FrameException) e).code())
            .isEqualTo(ErrorCode.FRAME_TOO_LARGE))
        .hasMessageContaining("dovetail.storage.memoryLimit");
  }

  @Test
  void poolKeepsClassSizedBuffersWithinTheLimit() {
    MemoryBudget b = new MemoryBudget(64 * 1024, 64 * 1024);
    ChunkPool pool = new ChunkPool(PooledByteBufAllocator.DEFAULT,
        PooledByteBufAllocator.DEFAULT, b);
    var first = pool.take(32 * 1024);
    pool.give(first);
    assertThat(pool.idleBytes()).isEqualTo(32 * 1024);
    var again = pool.take(32 * 1024);
    assertThat(again).isSameAs(first);
    assertThat(again.writerIndex()).isZero();
    var odd = pool.take(5000);
    assertThat(odd.capacity()).isEqualTo(5000);
    pool.give(odd);
    assertThat(pool.idleBytes()).as("odd sizes are not kept").isZero();
    b.reserveUnchecked(40 * 1024);
    pool.give(again);
    assertThat(pool.idleBytes()).as("kept only within the limit").isZero();
    b.releaseBytes(40 * 1024);
    pool.give(pool.take(16 * 1024));
    assertThat(pool.idleBytes()).isEqualTo(16 * 1024);
    pool.close();
    assertThat(pool.idleBytes()).isZero();
  }

  /**
   * Idle buffers of one class do not stay beside new memory of another, or beside admitted
   * frames: idle plus accounted bytes stay within the limit (they reached about twice it when
   * flushed 1 MiB chunks sat idle while pushes filled 8 KiB ones).
   */
  @Test
  void idleBuffersAreFreedAsTheBudgetGrowsElsewhere() {
    MemoryBudget b = new MemoryBudget(4 << 20, 4 << 20);
    ChunkPool pool = new ChunkPool(PooledByteBufAllocator.DEFAULT,
        PooledByteBufAllocator.DEFAULT, b);
    try {
      List<Chunk> big = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        assertThat(b.tryReserveNow(1 << 20)).isTrue();
        big.add(Chunk.allocate(pool, b, 1 << 20, 0));
      }
      big.forEach(Chunk::release);
      assertThat(pool.idleBytes()).as("flushed chunks kept for reuse").isEqualTo(3 << 20);
      List<Chunk> small = new ArrayList<>();
      while (b.tryReserveNow(8192)) {
        small.add(Chunk.allocate(pool, b, 8192, 0));
        assertThat(pool.idleBytes() + b.used()).isLessThanOrEqualTo(b.limit());
      }
      small.forEach(Chunk::release);
    } finally {
      pool.close();
    }
  }

  /**
   * An admitted frame makes room for its own bytes only: its copy credit is not memory yet, and
   * the chunks it pays for come from the pool. Freeing room for the credit too would free the
   * warm buffers the copy is about to take.
   */
  @Test
  void anAdmittedFrameFreesRoomForItselfNotForItsCopy() {
    MemoryBudget b = new MemoryBudget(4 << 20, 4 << 20);
    ChunkPool pool = new ChunkPool(PooledByteBufAllocator.DEFAULT,
        PooledByteBufAllocator.DEFAULT, b);
    try {
      List<io.netty.buffer.ByteBuf> warm = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        warm.add(pool.take(1 << 20));
      }
      warm.forEach(pool::give);
      assertThat(pool.idleBytes()).isEqualTo(4 << 20);
      assertThat(b.tryAdmit(MessageType.PUSH, 1 << 20, NOOP)).isEqualTo(1 << 20);
      assertThat(pool.idleBytes()).as("room for the frame's own MiB only").isEqualTo(3 << 20);
      assertThat(pool.idleBytes() + b.used() - (1 << 20)).as("memory within the limit")
          .isLessThanOrEqualTo(b.limit());
      b.release(1 << 20);
    } finally {
      pool.close();
    }
  }

  @Test
  void concurrentAdmissionsNeverExceedTheLimit() throws Exception {
    MemoryBudget b = new MemoryBudget(10_000, 9_000);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int seed = t;
      threads.add(new Thread(() -> {
        Random rnd = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
          int n = 1 + rnd.nextInt(2000);
          if (b.tryAdmit(MessageType.PUSH, n, NOOP) > 0) {
            b.release(n);
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    assertThat(b.peak()).isLessThanOrEqualTo(10_000);
    assertThat(b.used()).isZero();
  }

  /** Copies {@code data} bytes into chunks preferring {@code preferred} bytes; returns them. */
  private static List<Chunk> copy(MemoryBudget b, CopyCredit credit, long data, int preferred) {
    ChunkPool pool = new ChunkPool(PooledByteBufAllocator.DEFAULT,
        PooledByteBufAllocator.DEFAULT, b);
    pool.close(); // nothing kept: these tests look at the accounting only
    List<Chunk> chunks = new ArrayList<>();
    long left = data;
    while (left > 0) {
      int cap = credit.allocate(preferred, (int) Math.min(left, Integer.MAX_VALUE));
      chunks.add(Chunk.allocate(pool, b, cap, 0));
      long placed = Math.min(left, cap);
      credit.consumed(placed);
      left -= placed;
    }
    return chunks;
  }

  @Test
  void chunksKeepTheirPreferredSizeWhenTheBudgetHasRoom() {
    MemoryBudget b = new MemoryBudget(1 << 20, 1 << 20);
    assertThat(b.tryAdmit(MessageType.PUSH, 1000, NOOP)).isEqualTo(1000);
    CopyCredit credit = new CopyCredit(b, 1000, 900);
    List<Chunk> chunks = copy(b, credit, 900, 65_536);
    assertThat(chunks).singleElement().satisfies(c -> assertThat(c.capacity()).isEqualTo(65_536));
    credit.releaseUnused();
    credit.releaseFrame();
    assertThat(b.used()).isEqualTo(65_536);
    chunks.forEach(Chunk::release);
    assertThat(b.used()).isZero();
  }

  @Test
  void copyCreditAloneCoversTheCopyWhenTheBudgetIsFull() {
    int frame = 100_000;
    MemoryBudget b = new MemoryBudget(2L * frame, 2L * frame);
    // A replica's frame may fill the whole budget (a client's only 80% of it).
    assertThat(b.tryAdmit(MessageType.PUSH_FORWARD, frame, NOOP)).isEqualTo(frame);
    // 90,000 bytes into chunks that prefer 64k: the budget has no room beyond the admission.
    CopyCredit credit = new CopyCredit(b, frame, 90_000);
    List<Chunk> chunks = copy(b, credit, 90_000, 65_536);
    long capacity = chunks.stream().mapToLong(Chunk::capacity).sum();
    assertThat(capacity).isBetween(90_000L, (long) frame);
    credit.releaseUnused();
    credit.releaseFrame();
    credit.releaseFrame();
    assertThat(b.used()).isEqualTo(capacity);
    chunks.forEach(Chunk::release);
    assertThat(b.used()).isZero();
    assertThat(b.peak()).isEqualTo(2L * frame);
  }
}

package io.dovetail.metadata.state;

import static io.dovetail.metadata.state.StateFixture.assertCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.MetadataConfig;
import io.dovetail.proto.ShuffleLayout;
import io.dovetail.proto.UnregisterApplicationRequest;
import io.dovetail.proto.UnregisterShuffleRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bound on the memory of the shuffle indexes (dovetail.metadata.shuffle.indexMemoryLimit):
 * accounted as shuffles come and go, rebuilt at a restart, never a reason to refuse a start.
 */
class IndexMemoryTest {
  /** The estimate of a 1,000-map, 1,000-partition shuffle. */
  private static final long BIG = ShuffleState.indexBytes(1_000, 1_000);
  /** Room for one such shuffle and a half. */
  private static final long LIMIT = BIG * 3 / 2;

  private final StateFixture f = new StateFixture(StateFixture.settings(LIMIT));

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static void assertExhausted(Runnable call) {
    assertThatThrownBy(call::run).isInstanceOf(DovetailException.class)
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
        .hasMessageContaining(MetadataConfig.INDEX_MEMORY_LIMIT.key())
        .hasMessageContaining(Long.toString(LIMIT));
  }

  private void unregister(String app, int shuffle) {
    f.state.unregisterShuffle(UnregisterShuffleRequest.newBuilder().setAppId(app)
        .setShuffleId(shuffle).build());
  }

  @Test
  void theEstimateCountsMapsAndPartitions() {
    assertThat(ShuffleState.indexBytes(1_000, 0) - ShuffleState.indexBytes(0, 0))
        .isEqualTo(16_000);
    assertThat(ShuffleState.indexBytes(0, 1_000)).isGreaterThan(ShuffleState.indexBytes(0, 0));
    assertThat(ShuffleState.indexBytes(0, 0)).isPositive();
  }

  @Test
  void aShuffleOverTheLimitIsRefusedUntilAnotherIsUnregistered() {
    f.servers(2);
    f.app("app");
    ShuffleLayout first = f.shuffle("app", 0, 1_000, 1_000, 1);
    assertThat(f.state.shuffleIndexBytes()).isEqualTo(BIG);
    // The same registration again is an idempotent answer, not a second shuffle.
    assertThat(f.shuffle("app", 0, 1_000, 1_000, 1)).isEqualTo(first);
    assertThat(f.state.shuffleIndexBytes()).isEqualTo(BIG);

    assertExhausted(() -> f.shuffle("app", 1, 1_000, 1_000, 1));
    assertCode(ErrorCode.UNKNOWN_SHUFFLE, () -> f.layout("app", 1));
    assertThat(f.state.shuffleIndexBytes()).isEqualTo(BIG);
    assertThat(ErrorCode.RESOURCE_EXHAUSTED.isRetriable()).isTrue();

    unregister("app", 0);
    assertThat(f.state.shuffleIndexBytes()).isZero();
    assertThat(f.shuffle("app", 1, 1_000, 1_000, 1).getNumPartitions()).isEqualTo(1_000);
    assertThat(f.state.shuffleIndexBytes()).isEqualTo(BIG);
  }

  @Test
  void removingAnApplicationFreesItsShuffles() {
    f.servers(1);
    f.app("first");
    f.app("second");
    f.shuffle("first", 0, 1_000, 1_000, 1);
    assertExhausted(() -> f.shuffle("second", 0, 1_000, 1_000, 1));
    f.state.unregisterApplication(UnregisterApplicationRequest.newBuilder().setAppId("first")
        .build());
    assertThat(f.shuffle("second", 0, 1_000, 1_000, 1).getNumMaps()).isEqualTo(1_000);
  }

  @Test
  void aShuffleLargerThanTheWholeLimitIsAnInvalidShape() {
    f.servers(1);
    f.app("app");
    assertThatThrownBy(() -> f.shuffle("app", 0, 10_000, 1_000, 1))
        .isInstanceOf(DovetailException.class)
        .satisfies(e -> assertThat(((DovetailException) e).code())
            .isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining(MetadataConfig.INDEX_MEMORY_LIMIT.key());
    assertThat(f.state.shuffleIndexBytes()).isZero();
  }

  @Test
  void aFailedRegistrationGivesItsReservationBack() {
    f.app("app");
    // No storage server: placement fails after the memory was reserved.
    assertCode(ErrorCode.NOT_ENOUGH_SERVERS, () -> f.shuffle("app", 0, 1_000, 1_000, 1));
    assertThat(f.state.shuffleIndexBytes()).isZero();
  }

  @Test
  void aRestartCountsWhatItLoadsAndLoadsItEvenOverTheLimit() {
    f.servers(2);
    f.app("app");
    ShuffleLayout layout = f.shuffle("app", 0, 1_000, 1_000, 2);
    f.shuffle("app", 1, 10, 10, 1);
    long used = BIG + ShuffleState.indexBytes(10, 10);

    f.reopen();
    assertThat(f.state.shuffleIndexBytes()).isEqualTo(used);
    assertExhausted(() -> f.shuffle("app", 2, 1_000, 1_000, 1));

    // Restarted with a limit below what is stored: everything loads, new shuffles wait.
    f.reopen(StateFixture.settings(BIG / 2));
    assertThat(f.state.shuffleIndexBytes()).isEqualTo(used);
    assertThat(f.layout("app", 0)).isEqualTo(layout);
    assertCode(ErrorCode.RESOURCE_EXHAUSTED, () -> f.shuffle("app", 2, 10, 10, 1));
    unregister("app", 0);
    assertThat(f.shuffle("app", 2, 10, 10, 1).getNumMaps()).isEqualTo(10);
  }
}

package io.dovetail.storage.registry;

import io.dovetail.proto.DiskStatus;
import io.dovetail.proto.LostPartition;
import io.dovetail.proto.SealedPartition;
import io.dovetail.proto.ShuffleKey;
import java.util.List;

/**
 * What the {@link RegistryClient} reads from and does to the storage server. Implementations are
 * thread-safe; every method is called on the registry thread and may block briefly.
 */
public interface RegistryHost {
  String advertisedHost();

  int dataPort();

  List<DiskStatus> disks();

  long memoryUsedBytes();

  long memoryLimitBytes();

  /** Pushed bytes since the last call. */
  long takeRecentPushBytes();

  int openStreams();

  List<ShuffleKey> heldShuffles();

  List<SealedPartition> sealedFiles();

  List<LostPartition> drainLost();

  void requeueLost(List<LostPartition> lost);

  /** Delete sealed files the metadata server does not need. */
  void discard(List<SealedPartition> files);

  /** Delete shuffles that no longer exist. */
  void removeShuffles(List<ShuffleKey> shuffles);

  /**
   * The metadata server forgot this incarnation: refuse requests naming it and abandon files not
   * sealed yet, before registering again.
   */
  void forgetIncarnation();

  /** Registration succeeded: the incarnation to serve under from now on. */
  void incarnation(long incarnation);

  /** The server drained and said goodbye: finish (asynchronously). */
  void exitDrained();
}

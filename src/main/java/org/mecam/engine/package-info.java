/**
 * Process-wide setup of the DJL PyTorch engine: offline mode, the native-library cache, intra-op
 * threads, the glibc allocator settings that keep libtorch's buffers from being returned to the
 * OS every step, and device selection.
 */
package org.mecam.engine;

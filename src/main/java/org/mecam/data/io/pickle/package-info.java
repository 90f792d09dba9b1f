/**
 * A pickle reader for numpy data as researchers store it (protocols 0 to 5, numpy 1.x {@code
 * numpy.core} and 2.x {@code numpy._core}): dicts, lists, tuples, strings, numbers, numpy dtypes,
 * scalars and arrays. Large payloads are not read: their file offset and length are recorded,
 * so arrays larger than 2 GiB are mapped or read straight into the storage that keeps them.
 */
package org.mecam.data.io.pickle;

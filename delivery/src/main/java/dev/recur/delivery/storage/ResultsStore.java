package dev.recur.delivery.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.json.EventJson;
import dev.recur.common.storage.ResultsBucket;
import dev.recur.delivery.config.ResultsStoreConfig;
import jakarta.enterprise.context.ApplicationScoped;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The deployment's results bucket ({@link ResultsBucket}, which owns its key layout): reads job-runner's claim
 * checks (a JSON array of pages) and keeps every job's results document for {@code GET /v1/queries/{id}/results}:
 * a small one as a line of its batch's results pack (one PUT for the small documents of a whole consumed batch,
 * ADR 0003), a large one alone.
 * The {@link ResultsRef} of each job, on its history record and in the job log, says which object and which byte
 * range hold its document.
 */
@ApplicationScoped
public class ResultsStore {

    private static final String CONTENT_TYPE = ResultsBucket.CONTENT_TYPE;
    private static final byte[] DOCUMENT_START = "{\"results\":".getBytes(StandardCharsets.US_ASCII);
    private static final JsonFactory JSON = EventJson.mapper().getFactory();

    private static final int STORE_ATTEMPTS = 3;

    private final S3ObjectStore s3;
    private final ResultsBucket bucket;
    private final ResultsStoreConfig config;
    private final Clock clock;

    ResultsStore(S3ObjectStore s3, ResultsBucket bucket, ResultsStoreConfig config, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.config = config;
        this.clock = clock;
    }

    /** A job's results document, to be stored. */
    public record Document(long jobId, byte[] content) {}

    /** The results document of a job: its inline pages, or the pages its claim check points to. */
    public byte[] resultsDocument(JobResult result) {
        if (result.results() != null) {
            return EventJson.write(Map.of("results", result.results()));
        }
        return claimedDocument(result.resultsRef());
    }

    /**
     * The bytes of a job's claim check that {@link #resultsDocument} will read: none for inline results, or for a
     * claim check it will refuse without reading.
     */
    public long claimBytes(JobResult result) {
        ResultsRef ref = result.resultsRef();
        if (result.results() != null
                || ref == null
                || ref.sizeBytes() < 0
                || ref.sizeBytes() > config.claims().maxBytes()) {
            return 0;
        }
        return ref.sizeBytes();
    }

    /**
     * Stores the results documents of a batch and says where each went, in the order given: the documents up to
     * {@code recur.results.pack.document-max-bytes} in packs of up to {@code recur.results.pack.max-bytes}, the
     * others alone; the PUTs run on {@code writers} in parallel, each tried up to three times. Once this returns,
     * every document is in the bucket. A pack that no job log row ends up pointing to (the batch failed after the
     * PUT) is deleted by age like any other.
     */
    public List<ResultsRef> store(List<Document> documents, Executor writers) {
        ResultsRef[] refs = new ResultsRef[documents.size()];
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        int[] sizes = documents.stream().mapToInt(d -> d.content().length).toArray();
        for (List<Integer> object :
                plan(sizes, config.pack().documentMaxBytes(), config.pack().maxBytes())) {
            if (object.size() == 1 && sizes[object.get(0)] > config.pack().documentMaxBytes()) {
                int at = object.get(0);
                puts.add(CompletableFuture.runAsync(() -> refs[at] = storeAlone(documents.get(at)), writers));
            } else {
                puts.add(storePack(documents, object, refs, writers));
            }
        }
        try {
            CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        return Arrays.asList(refs);
    }

    /**
     * Which documents go into which object, by their sizes: each document over {@code documentMaxBytes} alone, the
     * others in order into packs of at most {@code packMaxBytes} (a document and its newline; a pack holds at least
     * one). With {@code documentMaxBytes} 0 every document is alone.
     */
    static List<List<Integer>> plan(int[] sizes, int documentMaxBytes, int packMaxBytes) {
        List<List<Integer>> objects = new ArrayList<>();
        List<Integer> pack = new ArrayList<>();
        long packBytes = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] > documentMaxBytes) {
                objects.add(List.of(i));
                continue;
            }
            if (!pack.isEmpty() && packBytes + sizes[i] + 1 > packMaxBytes) {
                objects.add(pack);
                pack = new ArrayList<>();
                packBytes = 0;
            }
            pack.add(i);
            packBytes += sizes[i] + 1;
        }
        if (!pack.isEmpty()) {
            objects.add(pack);
        }
        return objects;
    }

    private ResultsRef storeAlone(Document d) {
        String key = ResultsBucket.resultsKey(d.jobId());
        put(key, d.content(), CONTENT_TYPE);
        return new ResultsRef(bucket.name(), key, d.content().length, CONTENT_TYPE, ResultsBucket.sha256(d.content()));
    }

    /** One object of the documents at {@code members}, each on a line of its own (NDJSON: documents hold no raw newline). */
    private CompletableFuture<Void> storePack(
            List<Document> documents, List<Integer> members, ResultsRef[] refs, Executor writers) {
        return CompletableFuture.runAsync(
                () -> {
                    String key = ResultsBucket.packKey(
                            clock.instant(), documents.get(members.get(0)).jobId());
                    ByteArrayOutputStream content = new ByteArrayOutputStream();
                    ResultsRef[] packed = new ResultsRef[members.size()];
                    for (int m = 0; m < members.size(); m++) {
                        byte[] document = documents.get(members.get(m)).content();
                        packed[m] = new ResultsRef(
                                bucket.name(),
                                key,
                                document.length,
                                CONTENT_TYPE,
                                ResultsBucket.sha256(document),
                                (long) content.size());
                        content.writeBytes(document);
                        content.write('\n');
                    }
                    put(key, content.toByteArray(), ResultsBucket.PACK_CONTENT_TYPE);
                    for (int m = 0; m < members.size(); m++) {
                        refs[members.get(m)] = packed[m];
                    }
                },
                writers);
    }

    private void put(String key, byte[] content, String contentType) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= STORE_ATTEMPTS; attempt++) {
            try {
                s3.put(bucket.name(), key, content, contentType);
                return;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * A stored document: the whole object at {@code key}, or {@code size} bytes from {@code offset} of a pack; null
     * once it expired (a pack is deleted by age while job log rows still point to it).
     */
    public byte[] load(String key, Long offset, Long size) {
        try {
            return offset == null ? s3.get(bucket.name(), key) : s3.getRange(bucket.name(), key, offset, size);
        } catch (NoSuchKeyException e) {
            return null;
        }
    }

    public void delete(List<String> keys) {
        s3.delete(bucket.name(), keys);
    }

    /**
     * Deletes the packs written before {@code cutoff}, oldest first (S3 lists keys in order, and a pack's key starts
     * with its time); returns how many.
     */
    public int deletePacksWrittenBefore(Instant cutoff) {
        int deleted = 0;
        List<String> expired = new ArrayList<>();
        for (String key : s3.keys(bucket.name(), ResultsBucket.PACK_PREFIX)) {
            Instant writtenAt = ResultsBucket.packWrittenAt(key);
            if (writtenAt == null) {
                continue;
            }
            if (!writtenAt.isBefore(cutoff)) {
                break;
            }
            expired.add(key);
            if (expired.size() == 1000) {
                s3.delete(bucket.name(), expired);
                deleted += expired.size();
                expired.clear();
            }
        }
        s3.delete(bucket.name(), expired);
        return deleted + expired.size();
    }

    /**
     * The results document of a claim-checked job, {@code {"results":} + the claim's JSON array + {@code }}: read once
     * into the array it is returned in, never parsed into pages and written again. Only the results bucket's
     * {@code claims/} objects are read, whatever bucket or key the record names, and only up to
     * {@code recur.results.claims.max-bytes}; the content must match the reference's size and SHA-256 and be a JSON
     * array of objects (checked by a streaming scan that holds no page).
     */
    private byte[] claimedDocument(ResultsRef ref) {
        if (ref == null) {
            throw new UnreadableClaimException("the job result has neither results nor a claim check", null);
        }
        String where = "claim check s3://" + ref.bucket() + "/" + ref.key();
        if (!bucket.holdsClaim(ref.bucket(), ref.key()) || ref.offset() != null) {
            throw new UnreadableClaimException(
                    where + " is not a claim check of the results bucket (s3://" + bucket.name() + "/"
                            + ResultsBucket.CLAIM_PREFIX + "...): not read",
                    null);
        }
        long max = config.claims().maxBytes();
        if (ref.sizeBytes() < 0 || ref.sizeBytes() > max) {
            throw new UnreadableClaimException(
                    where + " holds " + ref.sizeBytes() + " bytes, more than" + " recur.results.claims.max-bytes ("
                            + max + ")",
                    null);
        }
        int size = (int) ref.sizeBytes();
        byte[] document = new byte[DOCUMENT_START.length + size + 1];
        System.arraycopy(DOCUMENT_START, 0, document, 0, DOCUMENT_START.length);
        try (InputStream in = s3.stream(bucket.name(), ref.key())) {
            int read = in.readNBytes(document, DOCUMENT_START.length, size);
            if (read != size || in.read() != -1) {
                throw new UnreadableClaimException(
                        where + " does not hold the " + size + " bytes its reference" + " says", null);
            }
        } catch (NoSuchKeyException e) {
            throw new UnreadableClaimException(where + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + where, e);
        }
        document[document.length - 1] = '}';
        if (ref.sha256() != null
                && !ref.sha256().equalsIgnoreCase(ResultsBucket.sha256(document, DOCUMENT_START.length, size))) {
            throw new UnreadableClaimException(where + " does not match its sha256", null);
        }
        if (!isArrayOfObjects(document, DOCUMENT_START.length, size)) {
            throw new UnreadableClaimException(where + " is not a JSON array of result pages", null);
        }
        return document;
    }

    /** Whether the bytes are one JSON array of objects; strings are skipped, not read into memory. */
    static boolean isArrayOfObjects(byte[] bytes, int offset, int length) {
        try (JsonParser parser = JSON.createParser(bytes, offset, length)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return false;
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (token != JsonToken.START_OBJECT) {
                    return false;
                }
                parser.skipChildren();
            }
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A claim check that no retry can read: missing (expired or deleted), altered, or not result pages. Unlike an
     * unreachable bucket, waiting does not help, so the job is recorded as faulted instead of holding its partition.
     */
    public static final class UnreadableClaimException extends RuntimeException {

        UnreadableClaimException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

package dev.recur.delivery.storage;

import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.recur.common.event.JobResult;
import dev.recur.common.event.ResultPage;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.json.EventJson;
import dev.recur.delivery.config.ResultsStoreConfig;

/**
 * The deployment's results bucket: reads job-runner's claim checks ({@code claims/{job_id}.json}, a
 * JSON array of pages) and keeps every job's results document for {@code GET /v1/queries/{id}/results}:
 * a small one as a line of its batch's results pack
 * ({@code results/packs/{written-at millis}-{first job id}-{random}.ndjson}: one PUT for the small documents of
 * a whole consumed batch, ADR 0003), a large one alone at {@code results/{job_id}.json}.
 * The {@link ResultsRef} of each job, on its history record and in the job log, says which object and which byte
 * range hold its document.
 */
@ApplicationScoped
public class ResultsStore {

    public static final String CONTENT_TYPE = "application/json";
    private static final TypeReference<List<ResultPage>> PAGES = new TypeReference<>() {
    };
    /**
     * Claim checks hold pages of 20 MB and more (job-runner's maximum body size), over Jackson's default
     * limit of 20,000,000 characters per string; the claim is read whole into memory anyway, so the limit
     * protects nothing here.
     */
    private static final ObjectMapper CLAIMS = largeStrings(EventJson.mapper().copy());

    public static final String PACK_PREFIX = "results/packs/";
    static final String PACK_CONTENT_TYPE = "application/x-ndjson";
    private static final int STORE_ATTEMPTS = 3;

    private final S3ObjectStore s3;
    private final ResultsStoreConfig config;
    private final Clock clock;

    ResultsStore(S3ObjectStore s3, ResultsStoreConfig config, Clock clock) {
        this.s3 = s3;
        this.config = config;
        this.clock = clock;
    }

    public static String key(long jobId) {
        return "results/" + jobId + ".json";
    }

    /**
     * The key of a results pack written at {@code writtenAt}: the time first, as 13 digits of epoch milliseconds, so
     * that a listing (in key order) is oldest first and the expiry sweep needs no index of packs; the random part
     * keeps two writers of the same job apart.
     */
    public static String packKey(Instant writtenAt, long firstJobId) {
        return PACK_PREFIX + String.format("%013d-%d-%08x.ndjson", writtenAt.toEpochMilli(), firstJobId,
                ThreadLocalRandom.current().nextInt());
    }

    /** When the pack at {@code key} was written, or null if the key is not a pack's. */
    static Instant packWrittenAt(String key) {
        if (!key.startsWith(PACK_PREFIX) || key.length() < PACK_PREFIX.length() + 13) {
            return null;
        }
        String millis = key.substring(PACK_PREFIX.length(), PACK_PREFIX.length() + 13);
        return millis.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(millis)) : null;
    }

    /** A job's results document, to be stored. */
    public record Document(long jobId, byte[] content) {
    }

    /** The results document of a job: its inline pages, or the pages its claim check points to. */
    public byte[] resultsDocument(JobResult result) {
        List<ResultPage> pages = result.results() != null ? result.results() : claimedPages(result.resultsRef());
        return EventJson.write(Map.of("results", pages));
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
        for (List<Integer> object : plan(sizes, config.pack().documentMaxBytes(), config.pack().maxBytes())) {
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
        String key = key(d.jobId());
        put(key, d.content(), CONTENT_TYPE);
        return new ResultsRef(config.bucket(), key, d.content().length, CONTENT_TYPE, sha256(d.content()));
    }

    /** One object of the documents at {@code members}, each on a line of its own (NDJSON: documents hold no raw newline). */
    private CompletableFuture<Void> storePack(List<Document> documents, List<Integer> members, ResultsRef[] refs,
            Executor writers) {
        return CompletableFuture.runAsync(() -> {
            String key = packKey(clock.instant(), documents.get(members.get(0)).jobId());
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            ResultsRef[] packed = new ResultsRef[members.size()];
            for (int m = 0; m < members.size(); m++) {
                byte[] document = documents.get(members.get(m)).content();
                packed[m] = new ResultsRef(config.bucket(), key, document.length, CONTENT_TYPE, sha256(document),
                        (long) content.size());
                content.writeBytes(document);
                content.write('\n');
            }
            put(key, content.toByteArray(), PACK_CONTENT_TYPE);
            for (int m = 0; m < members.size(); m++) {
                refs[members.get(m)] = packed[m];
            }
        }, writers);
    }

    private void put(String key, byte[] content, String contentType) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= STORE_ATTEMPTS; attempt++) {
            try {
                s3.put(config.bucket(), key, content, contentType);
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
            return offset == null ? s3.get(config.bucket(), key) : s3.getRange(config.bucket(), key, offset, size);
        } catch (NoSuchKeyException e) {
            return null;
        }
    }

    public void delete(List<String> keys) {
        s3.delete(config.bucket(), keys);
    }

    /**
     * Deletes the packs written before {@code cutoff}, oldest first (S3 lists keys in order, and a pack's key starts
     * with its time); returns how many.
     */
    public int deletePacksWrittenBefore(Instant cutoff) {
        int deleted = 0;
        List<String> expired = new ArrayList<>();
        for (String key : s3.keys(config.bucket(), PACK_PREFIX)) {
            Instant writtenAt = packWrittenAt(key);
            if (writtenAt == null) {
                continue;
            }
            if (!writtenAt.isBefore(cutoff)) {
                break;
            }
            expired.add(key);
            if (expired.size() == 1000) {
                s3.delete(config.bucket(), expired);
                deleted += expired.size();
                expired.clear();
            }
        }
        s3.delete(config.bucket(), expired);
        return deleted + expired.size();
    }

    private List<ResultPage> claimedPages(ResultsRef ref) {
        String where = "claim check s3://" + ref.bucket() + "/" + ref.key();
        byte[] content;
        try {
            content = s3.get(ref.bucket(), ref.key());
        } catch (NoSuchKeyException e) {
            throw new UnreadableClaimException(where + " does not exist", e);
        }
        if (ref.sha256() != null && !ref.sha256().equalsIgnoreCase(sha256(content))) {
            throw new UnreadableClaimException(where + " does not match its sha256", null);
        }
        try {
            return CLAIMS.readValue(content, PAGES);
        } catch (IOException e) {
            throw new UnreadableClaimException(where + " is not a JSON array of result pages", e);
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

    private static ObjectMapper largeStrings(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE).build());
        return mapper;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}

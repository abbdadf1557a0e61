package dev.recur.common.event;

import static com.fasterxml.jackson.annotation.JsonFormat.Shape.STRING;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One page of a job's result, in the shape of the Oxylabs {@code results[]} entries.
 *
 * @param content the page: a JSON string of raw HTML, or a JSON object when the scraper parsed it
 * @param statusCode the HTTP status of the scraped page
 * @param url the scraped URL
 * @param page 1-based page number
 * @param createdAt when the scraper created the page
 * @param updatedAt when the scraper last updated the page
 * @param parserType the scraper's parser, if it reported one
 * @param jobId the scraper's own job id, if it reported one (not Recur's job id)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultPage(
        @JsonProperty("content") JsonNode content,
        @JsonProperty("status_code") int statusCode,
        @JsonProperty("url") String url,
        @JsonProperty("page") int page,

        @JsonProperty("created_at") @JsonFormat(shape = STRING)
        Instant createdAt,

        @JsonProperty("updated_at") @JsonFormat(shape = STRING)
        Instant updatedAt,

        @JsonProperty("parser_type") String parserType,
        @JsonProperty("job_id") String jobId) {}

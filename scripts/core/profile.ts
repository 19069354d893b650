// A versions profile (manifests/versions.yaml) as one zod schema: its type is derived from it (model.ts re-exports
// it), and a profile that breaks a rule is refused with the rule, naming the field.
import { z } from 'zod';

const SEMVER = /^v?\d+\.\d+\.\d+/;
/** kind node images must be pinned by tag *and* digest: a tag alone can point at a build for another kind release. */
export const PINNED_IMAGE = /^[\w./-]+:v?\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/;

const version = z.string().regex(SEMVER, 'must be a version');
const https = z.string().regex(/^https:\/\//, 'must be an https address');
const yamlUnderManifests = z.string().regex(/^manifests\/[\w./-]+\.ya?ml$/, 'must be a YAML file under manifests/');
const TextSchema = z.object({ en: z.string(), 'zh-TW': z.string() });

export const ChartPinSchema = z.object({ repoName: z.string().min(1, 'needs repoName'), repoUrl: https, version, appVersion: z.string().optional() });
export type ChartPin = z.infer<typeof ChartPinSchema>;

/** A release archive per OS/arch: `{os}` and `{arch}` in url and binary are Go's names (linux, darwin; amd64, arm64). */
export const ReleaseSchema = z
  .object({
    version,
    url: z.string().regex(/^https:\/\/.*\{os\}.*\{arch\}/, 'must be https, with {os} and {arch}'),
    /** the release's own checksum file (sha256sum format), used when no sha256 is pinned for the platform */
    checksums: https,
    /** the program's path inside the archive */
    binary: z.string().min(1, 'must name the program inside the archive'),
    platforms: z.array(z.string().regex(/^[a-z0-9]+\/[a-z0-9]+$/, 'must list os/arch pairs')),
    /** pinned SHA-256 of each platform's archive ("linux/amd64": hex); a pinned one must match */
    sha256: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, 'must be a 64-hex checksum')).optional(),
    /** the largest archive accepted, in MiB (a download past it is cut off and refused; default 512) */
    maxMiB: z.number().int().min(1).max(4096, 'must be a whole number of MiB from 1 to 4096').optional(),
  })
  .superRefine((r, ctx) => {
    for (const plat of Object.keys(r.sha256 ?? {})) if (!r.platforms.includes(plat)) ctx.addIssue({ code: 'custom', path: ['sha256', plat], message: 'must be a listed platform\'s checksum' });
  });
export type Release = z.infer<typeof ReleaseSchema>;

/** One profile of versions.yaml, without its name (the key it stands under). */
export const ProfileBodySchema = z
  .object({
    description: TextSchema,
    kind: z.object({ minVersion: version, nodeImage: z.string().regex(PINNED_IMAGE, 'must be pinned as name:tag@sha256:digest') }),
    tools: z.object({ kubectl: version, helm: version, docker: version }),
    /** Any number of charts, by chart name; a chapter's steps name the one they install. */
    charts: z.record(z.string(), ChartPinSchema).refine((c) => Object.keys(c).length > 0, 'must name at least one chart'),
    images: z.record(z.string(), z.string()),
    /** A chart's own values file when it is not the article's (repo-relative): another chart layout (tempo-distributed 3.x). */
    values: z.record(z.string(), yamlUnderManifests).optional(),
    /** Values files laid over a chart's own (repo-relative), after it: `--values base --values overlay`. */
    overlays: z.record(z.string(), z.array(yamlUnderManifests)).optional(),
    /**
     * The plain manifests `kubectl apply` takes (repo-relative), by what they run: `xk6-client-tracing` (chapter 4),
     * and `kafka` where the profile's Tempo writes to a broker the chart does not bundle (chapter 3).
     */
    manifests: z.object({ 'xk6-client-tracing': yamlUnderManifests, kafka: yamlUnderManifests.optional() }).strict().optional(),
    /** The embedded lab's Kafka broker (Tempo 3's microservices): the pinned jars from Maven Central (repo-relative .jars.tsv). */
    kafkaJars: z.string().regex(/^manifests\/[\w./-]+\.jars\.tsv$/, 'must be a .jars.tsv under manifests/').optional(),
    /** Charts installed without --wait, their pods awaited after (a post-install hook makes what the pods need). */
    installThenWait: z.array(z.string()).optional(),
    /** The embedded lab's programs, downloaded when none is given (`workbook lab up`). */
    embedded: z.object({ tempo: ReleaseSchema, prometheus: ReleaseSchema }).optional(),
  })
  .superRefine((p, ctx) => {
    const charts = Object.keys(p.charts);
    for (const c of p.installThenWait ?? []) if (!charts.includes(c)) ctx.addIssue({ code: 'custom', path: ['installThenWait'], message: `must list charts of the profile (${c} is not one)` });
    for (const key of ['values', 'overlays'] as const) for (const c of Object.keys(p[key] ?? {})) if (!charts.includes(c)) ctx.addIssue({ code: 'custom', path: [key, c], message: 'must name a chart of the profile' });
  });

export type Profile = z.infer<typeof ProfileBodySchema> & { name: string };

/** manifests/versions.yaml: the default profile's name and every profile. */
export const VersionsFileSchema = z.object({ default: z.string(), profiles: z.record(z.string(), ProfileBodySchema) });
export type VersionsFile = z.infer<typeof VersionsFileSchema>;

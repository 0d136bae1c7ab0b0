// What each use-case preset should find, written here in JavaScript from its description in the
// data panel (not from the engine or the preset's DQL), and the real CloudTrail recordings of
// the shared corpus (`../shared/data/cloudtrail`, beside the repository; tests that need it are
// skipped when it is not there).

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { ROOT, get } from "./lib.mjs";

export const SHARED_DATA = path.resolve(ROOT, "../shared/data/cloudtrail");
export const STRATUS = path.join(SHARED_DATA, "stratus-red-team/detonation-logs");
export const HAVE_SHARED = existsSync(path.join(SHARED_DATA, "MANIFEST.tsv"));

/** An authorization failure, whatever the service calls it. */
export function isDenied(e) {
  const c = typeof e.errorCode === "string" ? e.errorCode.toLowerCase() : "";
  return (
    c.includes("accessdenied") ||
    c.includes("unauthorized") ||
    c.includes("notauthorized") ||
    c.startsWith("authorizationerror") ||
    c.includes("forbidden") ||
    c === "client.authfailure"
  );
}

/** The guide's definition: exactly AccessDenied or UnauthorizedOperation. */
export const isDeniedByGuide = (e) => e.errorCode === "AccessDenied" || e.errorCode === "UnauthorizedOperation";

/** A throttled call, whatever the service calls it. */
export function isThrottled(e) {
  const c = typeof e.errorCode === "string" ? e.errorCode.toLowerCase() : "";
  const m = typeof e.errorMessage === "string" ? e.errorMessage.toLowerCase() : "";
  return (
    c.includes("throttl") ||
    c.endsWith("requestlimitexceeded") ||
    c.startsWith("toomanyrequests") ||
    c.includes("provisionedthroughputexceeded") ||
    c.includes("rateexceeded") ||
    c === "slowdown" ||
    c === "priorrequestnotcomplete" ||
    m.startsWith("rate exceeded")
  );
}

/** A failed sign-in: console (IAM user, root, federated), MFA, Identity Center, STS federation. */
export function isSignInFailure(e) {
  if (e.eventSource === "signin.amazonaws.com") {
    const re = ["ConsoleLogin", "CheckMfa", "ExternalIdPDirectoryLogin"].some((k) => get(e, "responseElements", k) === "Failure");
    const sed = ["UserAuthentication", "CredentialChallenge", "CredentialVerification"].some(
      (k) => get(e, "serviceEventDetails", k) === "Failure",
    );
    return re || sed;
  }
  return (
    e.eventSource === "sts.amazonaws.com" &&
    (e.eventName === "AssumeRoleWithSAML" || e.eventName === "AssumeRoleWithWebIdentity") &&
    e.errorCode != null
  );
}

/** A KMS key with external key material (created with it, or material imported). */
export function isExternalKey(e) {
  if (e.eventSource !== "kms.amazonaws.com") return false;
  if (e.eventName === "ImportKeyMaterial") return true;
  if (e.eventName !== "CreateKey") return false;
  const origin = get(e, "responseElements", "keyMetadata", "origin") ?? get(e, "requestParameters", "origin") ?? "AWS_KMS";
  return origin === "EXTERNAL" || origin === "EXTERNAL_KEY_STORE";
}

/**
 * Files of the shared corpus as the tests hand them to the page ({ rel, name, bytes }), and
 * their events: each file a JSON array, a `{"Records":[…]}` object or one event (the shapes of
 * the folders used here); an exact duplicate (same eventID and content) keeps its first copy.
 */
export async function sharedFiles(rels) {
  const files = [];
  for (const rel of rels) {
    files.push({ rel, name: path.basename(rel), bytes: await readFile(path.join(SHARED_DATA, rel)) });
  }
  const seen = new Set();
  const events = [];
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const doc = JSON.parse(f.bytes.toString("utf8"));
    const list = Array.isArray(doc) ? doc : Array.isArray(doc.Records) ? doc.Records : [doc];
    for (const e of list) {
      // The loader drops an event whose eventID was loaded with the same content; one with
      // other content is kept (and reported as a conflict).
      const key = e.eventID ? `${e.eventID}\n${JSON.stringify(e)}` : null;
      if (key && seen.has(key)) continue;
      if (key) seen.add(key);
      events.push(e);
    }
  }
  return { files, events };
}

export const countBy = (list, f) => list.reduce((m, e) => m.set(f(e), (m.get(f(e)) || 0) + 1), new Map());

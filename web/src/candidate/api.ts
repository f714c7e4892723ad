// The candidate's side of the API: every call carries the link token in X-Invitation-Token
// (never in a URL), and a failed call becomes an ApiError holding its problem document.
import type { Middleware } from "openapi-fetch";
import { apiClient, problemKind, problemText, type Api, type Problem, type Schemas } from "../api/client";

export type Interview = Schemas["CandidateInterview"];
export type Question = Schemas["CandidateQuestion"];
export type Progress = Schemas["QuestionProgress"];
export type Answer = Schemas["CandidateAnswer"];
export type PresignedPost = Schemas["PresignedPost"];
export type UploadType = Schemas["UploadRequest"]["content_type"];

export const TOKEN_HEADER = "X-Invitation-Token";

/** A failed API call: its HTTP status and problem (undefined when the network failed). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
  ) {
    super(problemText(problem, status ? `The server answered ${status}.` : "The network is unavailable."));
    this.name = "ApiError";
  }

  get kind(): string | undefined {
    return problemKind(this.problem);
  }
}

export function candidateApi(apiUrl: string, token: string): Api {
  const link: Middleware = {
    onRequest({ request }) {
      request.headers.set(TOKEN_HEADER, token);
      return request;
    },
  };
  return apiClient(apiUrl, link);
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call, or an ApiError; a network failure is an ApiError of status 0. */
export async function must<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, undefined);
  }
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiError(result.response.status, result.error as Partial<Problem> | undefined);
  }
  return result.data as T;
}

/** Consent as POST /start records it: recording is required; AI analysis is the candidate's choice. */
export interface Consent {
  recording: true;
  ai_analysis: boolean;
  /** The version of the consent text shown (CONSENT_TEXT_VERSION in app.tsx). */
  text_version: string;
}

export function startInterview(api: Api, consent: Consent): Promise<Schemas["StatusOut"]> {
  // The start route records the consent body (the API's contract gains it; until then it is
  // ignored): the typed client does not know that body yet, hence the widened signature.
  const post = api.POST as unknown as (
    path: "/v1/candidate/interview/start",
    init: { body: Consent },
  ) => Promise<Result<Schemas["StatusOut"]>>;
  return must(post.call(api, "/v1/candidate/interview/start", { body: consent }));
}

/** Where self-service sign-up is served (signup.ts). */
export const SIGNUP_PATH = "/v1/signup";

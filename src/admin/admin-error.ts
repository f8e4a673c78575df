/** An error the admin API answers with: its status, words, and the field at fault. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

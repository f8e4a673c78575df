const EMPTY = new Uint8Array(0);

/**
 * A body read in part (to judge its start) made whole again: the chunks read so far, then the rest. A
 * consumer that stops early lets go of the upstream, as a for-await over the body would.
 */
export async function* replayBody(
  held: Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
  ended: boolean,
): AsyncGenerator<Uint8Array> {
  let finished = ended;
  try {
    for (let i = 0; i < held.length; i++) {
      const chunk = held[i]!;
      held[i] = EMPTY; // let go of each chunk once it is passed on
      yield chunk;
    }
    while (!finished) {
      const next = await rest.next();
      if (next.done) finished = true;
      else yield next.value;
    }
  } catch (err) {
    finished = true;
    throw err;
  } finally {
    if (!finished) await rest.return?.();
  }
}

/** One tag: `key=value` (`project=checkout`), no commas, equals signs or spaces in either part. */
export const TAG_PATTERN = /^[A-Za-z0-9_.:/-]{1,64}=[A-Za-z0-9_.:/@+-]{1,128}$/;

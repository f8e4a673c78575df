/** A tag's key (`project`) and value (`checkout`): no commas, semicolons, equals signs or spaces. */
export const TAG_KEY = /^[A-Za-z0-9_.:/-]{1,64}$/;
export const TAG_VALUE = /^[A-Za-z0-9_.:/@+-]{1,128}$/;
/** One tag: `key=value` (`project=checkout`), no commas, equals signs or spaces in either part. */
export const TAG_PATTERN = /^[A-Za-z0-9_.:/-]{1,64}=[A-Za-z0-9_.:/@+-]{1,128}$/;

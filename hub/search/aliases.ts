/**
 * What guests and staff say → what menus write. Applied to the query before both the lexical and
 * the vector search. Small on purpose: the embedding model covers most synonyms; this list covers
 * the regionalisms and slang GloVe places badly.
 */
const aliases: Readonly<Record<string, string>> = {
  soda: 'soft drink cola lemon lime soda',
  pop: 'soft drink cola soda',
  fizzy: 'soft drink sparkling soda',
  coke: 'cola',
  sprite: 'lemon lime soda',
  chips: 'fries',
  crisps: 'fries',
  fries: 'fries',
  veggie: 'vegetarian vegetable',
  vegan: 'vegan vegetable',
  booze: 'beer wine cocktail',
  pint: 'beer lager ale',
  vino: 'wine',
  bubbly: 'prosecco sparkling wine',
  java: 'coffee espresso',
  joe: 'coffee',
  cuppa: 'tea',
  pud: 'dessert pudding',
  afters: 'dessert',
  sweet: 'dessert',
  starter: 'starter appetizer',
  appetizer: 'starter',
  app: 'starter',
  sarnie: 'sandwich',
  butty: 'sandwich',
  bangers: 'sausage',
  steak: 'steak ribeye',
  shrimp: 'shrimp prawn',
  prawns: 'shrimp',
  kids: 'small',
};

export function expandAliases(words: readonly string[]): string[] {
  return words.flatMap((w) => (aliases[w] ? [w, ...aliases[w]!.split(' ')] : [w]));
}

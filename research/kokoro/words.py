"""Test words (60) and one-phone-away pairs (20) for the Kokoro English measurement."""
WORDS = """think three thank bath month nothing birthday
this brother mother weather together that they
red right run rabbit world car bird very green orange
light hello yellow little people school apple lemon
seven five voice travel river
water window wash woman with
ship sheep fit feet full fool elephant cup hot book boat house boy bike
banana computer family chicken""".split()
assert len(WORDS) == 60 and len(set(WORDS)) == 60, len(WORDS)

# take of the first word scored against the second text: the scorer should NOT accept it
PAIRS = [("think", "sink"), ("three", "tree"), ("thank", "tank"), ("bath", "bat"), ("they", "day"),
         ("with", "wit"), ("very", "berry"), ("right", "light"), ("red", "led"), ("light", "right"),
         ("ship", "sheep"), ("sheep", "ship"), ("fit", "feet"), ("full", "fool"), ("hot", "hat"),
         ("cup", "cap"), ("boat", "bought"), ("voice", "choice"), ("wash", "watch"), ("woman", "women")]
assert len(PAIRS) == 20 and all(a in WORDS for a, _ in PAIRS)

# what Whisper may legitimately write for a word
HOMOPHONES = {"right": {"write", "rite"}, "feet": {"feat"}, "red": {"read"}, "seven": {"7"}, "three": {"3"},
              "five": {"5"}, "hello": {"hallo", "hullo"}, "fool": set(), "boy": set(), "wash": set()}

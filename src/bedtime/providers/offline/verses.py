"""Lines for the offline storyteller, by part of the story and by rhyme family.

Each family's lines end in words that rhyme (checked by the pronouncing
dictionary when the storyteller loads them) and read well two by two, in
order; the families of a part are in story order, and the last family of
the ending closes the story. {a} and {b} are the two
characters, {scene} the place; they never end a line, so rhymes hold
whatever the family names them.
"""

OPENING = [
    [
        "When the last of the sun had slipped out of sight,",
        "and the stars woke up one by one in the night,",
        "{a} peeked out at the sky, so clear and so bright,",
        "the sky over {scene} turned silver and white,",
        "{a} held a small lantern that glowed with warm light,",
        "and {b} came along, holding on tight.",
    ],
    [
        "A hush fell over {scene} at the end of the day,",
        "when {a} and {b} were still out at play,",
        "the clouds in the west turned a soft dusky grey,",
        '{b} said, "Come along, for I know the way,"',
        'and the breeze whispered, "Please do not wander away,"',
        '"Just one small adventure," said {a}, "then we stay."',
    ],
    [
        "Above {scene} rose a round yellow moon,",
        "and a cricket was humming a slow little tune,",
        '{a} yawned and said, "We\'ll be sleeping quite soon,"',
        "as warm as a blanket on an evening in June.",
    ],
    [
        "{b} came skipping along with a wave and a cheer,",
        '"Hello there, {a}, I\'m so glad you are here!"',
        "The path through {scene} was quiet and clear,",
        "and the two friends felt no worry and no fear.",
        '{a} whispered, "Stay close to me, {b}, my dear."',
    ],
]

JOURNEY = [
    [
        "They tiptoed past stones that were mossy and round,",
        "and listened for every small whispering sound,",
        "{b} found a trail of pale petals on the ground",
        "that twisted and wiggled and wandered around,",
        "and {a} was delighted by all that they found.",
    ],
    [
        "They followed a stream that was gentle and slow,",
        "where pebbles like pearls made a shimmering glow,",
        '{a} said, "I wonder where all the stars go,"',
        'and {b} answered softly, "I think that I know."',
        "The water sang sweetly to the reeds down below.",
    ],
    [
        "They climbed up a hill that was mossy and green,",
        "the loveliest hill that they ever had seen,",
        "{b} pointed at fireflies floating between",
        "the branches that swayed like a velvety screen.",
    ],
    [
        'A little old owl called, "Who? Who goes there?"',
        '{a} said, "Just two friends, taking in the cool air."',
        "The owl fluffed her feathers and gave them a stare,",
        "then showed them a stump like a moss-covered chair,",
        "and {b} gave a bow with the greatest of care.",
    ],
    [
        "The wind in the leaves made a sound like the sea,",
        "as {a} and {b} sat down under a tree.",
        '"I count one little star, and then two, and then three,"',
        "said {a}, just as happy as happy can be.",
    ],
    [
        "In {scene} the shadows were friendly and small,",
        "and a soft silver waterfall started to fall,",
        "{b} heard a tiny frog give a sleepy call,",
        "and {a} found it the best evening of all.",
    ],
]

WONDER = [
    [
        "Then high in the dark something started to gleam,",
        "a ribbon of starlight as soft as a dream,",
        "it floated down slowly in one silver beam",
        "and landed like dew on the edge of the stream.",
        '"It\'s magic," said {b}, "or so it would seem!"',
    ],
    [
        "It twinkled and tinkled and started to sing",
        "a song about every small wonderful thing:",
        "the hush of the snow and the bloom of the spring,",
        "the hum of a bee and the flap of a wing.",
        "So {a} and {b} danced around in a ring.",
    ],
    [
        "The stars wrote a message across the wide sky:",
        '"Be kind to each other, and never be shy."',
        "{b} waved to a comet that went zooming by,",
        "and {a} gave a giggle and let out a sigh",
        "as the moon seemed to wink from her window up high.",
    ],
    [
        "{a} made a wish on a star shining far,",
        "to always stay friends just the way that we are;",
        "{b} caught a moonbeam and kept it in a jar,",
        "a small glowing treasure from one little star.",
    ],
    [
        "A cloud drifted down like a soft feather bed",
        "and gave them a ride far above {scene} instead,",
        "the moon leaned in close and she patted each head,",
        '"Well done, little travellers," was all that she said.',
    ],
]

ENDING = [
    [
        "Then {a} gave a yawn that was ever so deep,",
        'and {b} said, "Now it is time for some sleep."',
        "They counted the clouds like a flock of soft sheep,",
        "and promised the stars all their secrets to keep.",
        "In {scene} not one little creature would peep.",
    ],
    [
        "They wandered back home to a warm cosy nest,",
        "where pillows were plump and the blankets the best;",
        "the sun was asleep far away in the west,",
        "and {a} and {b} snuggled down for a rest.",
    ],
    [
        "{b} tucked {a} in a snug little bed",
        "and fluffed up the pillow beneath a tired head.",
        '"Goodnight, dearest friend," was the last thing said,',
        "as dreams full of starlight began to spread.",
    ],
    [
        "The stars hummed a lullaby, quiet and low,",
        "the lantern grew dim with a last gentle glow,",
        "and {scene} was still in the moonlight below,",
        "as sleepy as sleepy as sleepy can go.",
    ],
    [
        "So close your eyes too, little one, it's all right,",
        "the moon will keep watch with her soft silver light,",
        "and {a} and {b} will be dreaming tonight,",
        "all snug as a bug, with their blankets pulled tight.",
    ],
]

TITLES = [
    "{a} and {b} in {scene}",
    "The Night {a} Met the Stars",
    "A Starry Walk for {a} and {b}",
    "{b}, {a} and the Silver Moon",
    "Goodnight, {a} and {b}",
    "The Lantern Path of {scene}",
]

PARTS = ((OPENING, 3), (JOURNEY, 5), (WONDER, 4), (ENDING, 4))

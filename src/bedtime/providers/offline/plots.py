"""The small plots the offline storyteller threads through a night.

Each plot is a want or a problem (set up early), a try that does not work, help from
the other character, a turn, and home: five stanzas of two rhyming couplets each, told
between the night's other stanzas. The turn and the home stanza name the plot's thing
again, so the end calls back to the start. {x} is the one with the want, {y} the one
who helps, {thing} the night's thing (never at a line's end, so any thing rhymes).

Little listeners (3 to 5) get plots of things lost, stuck or scary, in short lines that
say one thing each; older ones (6 to 8) get plans, puzzles and reasons, with talk
between the two ("because", "but", "so").
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES = ("want", "try", "help", "turn", "home")
LITTLE_UP_TO = 5  # the oldest age told the little plots


@dataclass(frozen=True)
class Plot:
    kind: str
    title: str  # {X}: the one with the want; {Thing}: the thing, title-cased
    things: tuple[str, ...]
    stanzas: tuple[tuple[str, str, str, str], ...]  # one per stage, in STAGES order
    deed: str  # what happened, for the summary: "found the {thing}"


LITTLE = (
    Plot(
        "lost",
        "{X} and the Lost {Thing}",
        ("red button", "blue mitten", "silver bell", "striped sock"),
        (
            (
                "{x} stopped and looked around.",
                '"My {thing} is gone!" {x} frowned.',
                '"I had it when the sun was high."',
                '"Now it is lost," {x} said with a sigh.',
            ),
            (
                "{x} looked under a leaf and a stone.",
                "{x} looked and looked, all alone.",
                "But the {thing} was not there.",
                "{x} peeked and poked everywhere.",
            ),
            (
                '"I will help," said {y}. "Let us look."',
                '"We can look in every nook."',
                "{y} went slow, with eyes held low.",
                "to every spot the two could go.",
            ),
            (
                "Then {y} saw something shiny and small.",
                "The {thing} lay waiting by the wall!",
                '"Look!" said {y}. "Come and see!"',
                "{x} jumped up and down with glee.",
            ),
            (
                "{x} held the {thing} snug and tight.",
                '"Thank you, {y}, for your help tonight."',
                "The lost {thing} was found, hooray!",
                "They went home the shortest way.",
            ),
        ),
        "found the {thing}",
    ),
    Plot(
        "stuck",
        "{X}'s {Thing} Up High",
        ("yellow kite", "red balloon", "spotty ball", "paper boat"),
        (
            (
                "A puff of wind blew, quick and strong.",
                "It took the {thing} up and along.",
                "Up it went, and there it stayed.",
                "up too high. {x} felt afraid.",
            ),
            (
                "{x} stood up tall on tippy toes.",
                "{x} could not reach it, goodness knows.",
                "{x} jumped once, and jumped again.",
                "The {thing} stayed up there, even then.",
            ),
            (
                '"Climb on me," said {y}. "I am strong."',
                '"Hold on tight. It will not be long."',
                "{y} stood still as still could be.",
                "{x} climbed up, one, two, three.",
            ),
            (
                "{x} gave one more little stretch.",
                "and the {thing} was close enough to fetch!",
                "Down it came, safe and sound.",
                "Both friends tumbled to the ground.",
            ),
            (
                "They laughed and laughed, a happy pair.",
                "{x} held the {thing} with gentle care.",
                "The {thing} was safe, and so were they.",
                "They walked back home the longest way.",
            ),
        ),
        "got the {thing} down",
    ),
    Plot(
        "shadow",
        "{X} and the Big {Thing}",
        ("dark shadow", "tall shadow", "wobbly shadow"),
        (
            (
                "{x} saw a {thing} on the wall.",
                "It was big, and it was tall.",
                "It had long arms and a great big head.",
                '"Who is that?" {x} said.',
            ),
            (
                "{x} went to hide, small and still.",
                "{x} felt a shiver and a chill.",
                "{x} peeked out, and it was there.",
                "The {thing} was waiting in the air.",
            ),
            (
                "{y} came close and took a look.",
                "{y} was calm, and not one bit shook.",
                '"Nod," said {y}, "and you will see."',
                '"A shadow does what you do, like me."',
            ),
            (
                "{x} gave a nod to say hello.",
                "The {thing} nodded back, just so!",
                "{x} hopped, and it hopped too.",
                '"It is me!" said {x}. "It is true!"',
            ),
            (
                "The {thing} went home with them all the way.",
                "It danced with {x}, as if to play.",
                "It is not scary now, you know.",
                "It is just {x}, long and slow.",
            ),
        ),
        "made friends with the {thing}",
    ),
    Plot(
        "star",
        "{X}'s Wish on the {Thing}",
        ("first star", "wishing star", "brightest star"),
        (
            (
                "{x} wished to see the {thing} shine.",
                "and make a wish on it, one wish of mine.",
                "But clouds came over, grey and wide.",
                "and every star went off to hide.",
            ),
            (
                "{x} looked up and looked some more.",
                "{x} looked right up to the sky's top floor.",
                "No star came out, not one, not two.",
                '"Oh no," said {x}. "What can I do?"',
            ),
            (
                '"Wait with me," said {y}. "Be still."',
                '"A star will come. I know it will."',
                "They sat so close, and sat so near.",
                "and waited for the sky to clear.",
            ),
            (
                "The clouds moved on, all soft and slow.",
                "and there it was, with a silver glow!",
                "The {thing} came out to say hello.",
                "{x} made a wish, and whispered low.",
            ),
            (
                "They went back home beneath its light.",
                "The {thing} kept watch all through the night.",
                "{x} would not tell the wish, not yet.",
                "It was a wish {x} would not forget.",
            ),
        ),
        "wished on the {thing}",
    ),
    Plot(
        "sleepy",
        "Not One Bit Sleepy",
        ("bouncing game", "spinning game", "hopping game"),
        (
            (
                '"I am not sleepy," said {x}. "Not one bit."',
                '"I want to play. I will not sit."',
                "{x} played the {thing} round and round.",
                "with a great big bounce and a happy sound.",
            ),
            (
                "{x} tried to lie down, still and flat.",
                "{x} wiggled this way, then wiggled that.",
                "{x} shut one eye, then shut one more.",
                "{x} opened both, just like before.",
            ),
            (
                '"I know a trick," said {y}. "Come near."',
                '"We can play the {thing} slowly here."',
                "{y} began, so soft and low.",
                "as slow as slow and slow can go.",
            ),
            (
                "{x} played the {thing} slowly too.",
                "once, and twice, and then right through.",
                "{x} gave a yawn, so big and wide.",
                "The slow {thing} worked, deep inside.",
            ),
            (
                "They went home with the {thing} in their heads.",
                "They played it all the way to their beds.",
                '"Not sleepy," said {x}, with a yawn,',
                "and snuggled down till the dawn.",
            ),
        ),
        "played the {thing} slowly",
    ),
)

BIG = (
    Plot(
        "map",
        "{X} and the Old {Thing}",
        ("treasure map", "paper map", "secret map"),
        (
            (
                "{x} found a {thing}, folded small.",
                "tucked in a crack beside the wall.",
                '"An X!" said {x}. "There must be treasure."',
                '"and I will find it, for my pleasure."',
            ),
            (
                "{x} counted steps, but lost the way.",
                "because the marks had faded grey.",
                '"Ten steps left, or was it right?"',
                "{x} was muddled, and it was night.",
            ),
            (
                "{y} took the {thing} and turned it round.",
                '"You had it upside down," {y} frowned.',
                '"So north is here, and south is there."',
                '"Now follow me. Step with care."',
            ),
            (
                "They dug beside a lumpy stone.",
                "and found a tin, old as a bone.",
                "Inside were shells and seeds and string.",
                "and every small and shiny thing.",
            ),
            (
                "They put the tin back where it lay.",
                "so someone else could find it one day.",
                "{x} kept the {thing}, though, tucked in tight.",
                "to dream of on this starry night.",
            ),
        ),
        "followed the {thing}",
    ),
    Plot(
        "bridge",
        "{X} Builds a {Thing}",
        ("little bridge", "tiny raft", "twig ramp"),
        (
            (
                "{x} wanted to build a {thing} tonight.",
                '"The best one ever," {x} said, "just right."',
                "{x} wanted it to stand up proud.",
                "so strong that it could hold a crowd.",
            ),
            (
                "{x} piled the twigs up high and wide.",
                "but all of them slid off one side.",
                "{x} tried again, and then once more.",
                "but down it tumbled, as before.",
            ),
            (
                '"It falls," said {y}, "because it leans."',
                '"Let us weave the twigs, like beans."',
                '"If one holds two, and two hold three."',
                '"it will be strong. Just wait and see."',
            ),
            (
                "They wove the twigs, both over and under.",
                "and the {thing} stood, a little wonder.",
                "A beetle crossed it, proud and slow.",
                "and wiggled its feelers down below.",
            ),
            (
                "They left the {thing} there for the night.",
                "for beetles, ants and moths in flight.",
                '"We made it," said {x}, "me and you."',
                '"because you knew what we should do."',
            ),
        ),
        "built a {thing}",
    ),
    Plot(
        "tapping",
        "{X} and the {Thing}",
        ("tapping sound", "knocking sound", "clicking sound"),
        (
            (
                "Tap, tap, tap. What could it be?",
                '"A {thing}," whispered {x}. "Listen to me."',
                '"Is it a secret? Is it a code?"',
                '"I must find out," said {x}, and strode.',
            ),
            (
                "{x} tapped back, but it did not stop.",
                "Tap, tap, tap, then a little hop.",
                '"Three taps means hello," {x} guessed,',
                "but the sound went on, and would not rest.",
            ),
            (
                "{y} listened, head tipped to one side.",
                '"It is not a code," {y} replied.',
                '"It comes and goes when the wind blows through."',
                '"so let us follow, me and you."',
            ),
            (
                "They found a branch that swung and knocked.",
                "upon a shutter, loose and unlocked.",
                '"So that was it!" said {x}. "Hooray!"',
                '"The {thing} is a branch that wants to play!"',
            ),
            (
                "They tied the branch with a piece of string.",
                "and the night went still, with no tapping thing.",
                '"I liked the {thing}," said {x}, "a bit."',
                '"But now it is quiet, so we can sit."',
            ),
        ),
        "solved the {thing}",
    ),
    Plot(
        "moth",
        "{X} and the Lost {Thing}",
        ("little moth", "baby firefly", "small beetle"),
        (
            (
                "A {thing} sat crying on a leaf.",
                '"I lost my way," it said in grief.',
                '"My home is near a yellow light."',
                '"but I got muddled in the night."',
            ),
            (
                '{x} said, "Come on, I know the way."',
                '"I will take you home without delay."',
                "But every light they came to find",
                "was not its home, not the right kind.",
            ),
            (
                '"Which light?" asked {y}. "Is it small?"',
                '"Is it low, or high and tall?"',
                '"It hums," it said, "and it is warm."',
                '"It kept me safe in last night\'s storm."',
            ),
            (
                '"A lamp that hums!" said {y}. "I know!"',
                '"It is by the door. Come, let us go."',
                "And there it was, all gold and bright.",
                "the {thing}'s own home, its own warm light.",
            ),
            (
                "The {thing} flew round them in the night.",
                "It blinked to thank them, small and bright.",
                "Then {x} and {y} went home as well.",
                "with one more story they could tell.",
            ),
        ),
        "took the {thing} home",
    ),
    Plot(
        "count",
        "{X} Counts the {Thing}",
        ("stars", "sparks", "fireflies"),
        (
            (
                '"Tonight," said {x}, "I have a plan."',
                '"I will count the {thing}, all I can."',
                '"One and two, and three and four."',
                '"and on and on, and more and more."',
            ),
            (
                "{x} counted high, and counted fine.",
                "then lost the place, and lost the line.",
                "{x} started over, once again.",
                "but lost the count at eight or ten.",
            ),
            (
                '{y} sat down and said, "You know."',
                '"there are more {thing} than we can show."',
                '"So maybe we could count a few."',
                '"and just enjoy the rest, we two."',
            ),
            (
                "{x} picked out one, then two, then three.",
                '"That one for you, and that for me."',
                "{x} stopped counting then, and sat.",
                "{x} watched the {thing}, and that was that.",
            ),
            (
                "They walked back home. They did not mind.",
                "Lots of {thing} were left behind.",
                '"Three are ours," said {x}, "for keeps."',
                '"and they will shine while {y} sleeps."',
            ),
        ),
        "counted the {thing}",
    ),
)

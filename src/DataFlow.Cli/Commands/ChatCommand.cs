using System.ComponentModel;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Sft;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ChatCommand : Command<ChatCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint <DIR>")]
        [Description("A model folder, or a LoRA adapter folder (its base_model.txt names the base).")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--temperature <T>")]
        public double Temperature { get; init; }

        [CommandOption("--top-k <K>")]
        public int TopK { get; init; }

        [CommandOption("--max-new-tokens <N>")]
        public int MaxNewTokens { get; init; } = 64;

        [CommandOption("--system <TEXT>")]
        public string? System { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var (model, adapters, tokenizer) = ChatSession.Open(settings.Checkpoint);
        using (model)
        using (adapters)
        {
            var session = new ChatSession(model, tokenizer,
                new GenerationOptions { Temperature = settings.Temperature, TopK = settings.TopK, MaxNewTokens = settings.MaxNewTokens }, settings.System);
            Console.Error.WriteLine("chat: type a message, empty line or Ctrl-D to quit");
            while (!cancellation.IsCancellationRequested)
            {
                Console.Write("you> ");
                var line = Console.ReadLine();
                if (string.IsNullOrWhiteSpace(line)) break;
                Console.Write("assistant> ");
                session.Reply(line, piece => { Console.Write(piece); Console.Out.Flush(); });
                Console.WriteLine();
            }
        }
        return 0;
    }
}

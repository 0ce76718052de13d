using Infra.Render;

return Cli.Run(args, Directory.GetCurrentDirectory(), Console.Out, Console.Error);
